using MLNet.Contrastive.Training.Distributed;

namespace MLNet.Contrastive.Training;

/// <summary>Options of a <see cref="ContrastiveTrainer"/>.</summary>
public sealed class ContrastiveTrainerOptions
{
    /// <summary>Gets or sets the number of examples per optimisation step (the contrastive batch). Default is 64.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Gets or sets the number of queries encoded at once by the gradient cache. Default is 32.</summary>
    public int QueryChunkSize { get; set; } = 32;

    /// <summary>Gets or sets the number of documents encoded at once by the gradient cache. Default is 32.</summary>
    public int DocumentChunkSize { get; set; } = 32;

    /// <summary>Gets or sets the number of passes over the examples. Default is 1.</summary>
    public int Epochs { get; set; } = 1;

    /// <summary>Gets or sets the peak learning rate of AdamW. Default is 2e-5.</summary>
    public double LearningRate { get; set; } = 2e-5;

    /// <summary>Gets or sets the number of warmup steps; <see langword="null"/> uses <see cref="WarmupRatio"/>. Default is <see langword="null"/>.</summary>
    public int? WarmupSteps { get; set; }

    /// <summary>Gets or sets the fraction of all steps used for warmup when <see cref="WarmupSteps"/> is null. Default is 0.1.</summary>
    public double WarmupRatio { get; set; } = 0.1;

    /// <summary>Gets or sets the decay after warmup. Default is <see cref="LearningRateScheduleKind.Linear"/>.</summary>
    public LearningRateScheduleKind Schedule { get; set; } = LearningRateScheduleKind.Linear;

    /// <summary>Gets or sets AdamW's decoupled weight decay for the encoders' weights; biases, LayerNorm parameters and a
    /// learnable temperature never take it. Default is 0.01.</summary>
    public double WeightDecay { get; set; } = 0.01;

    /// <summary>Gets or sets the maximum L2 norm of all gradients together, or <see langword="null"/> for no clipping. Default is 1.</summary>
    public double? MaxGradientNorm { get; set; } = 1.0;

    /// <summary>Gets or sets a value indicating whether the encoders' embeddings (<c>embeddings.*</c>) stay fixed while
    /// training. Default is <see langword="false"/>.</summary>
    public bool FreezeEmbeddings { get; set; }

    /// <summary>Gets or sets how many of the lowest Transformer layers stay fixed while training: the backward pass stops
    /// above them, a cheaper step on CPU. Default is 0.</summary>
    public int FrozenLayers { get; set; }

    /// <summary>Gets or sets the seed of the shuffling and of the dropout replay. Default is 0.</summary>
    public int Seed { get; set; }

    /// <summary>Gets or sets a value indicating whether each side is sorted by length before chunking. Default is <see langword="true"/>.</summary>
    public bool SortByLength { get; set; } = true;

    /// <summary>Gets or sets the token id written into padding positions. Default is 0.</summary>
    public long PaddingId { get; set; }

    /// <summary>Gets or sets a value indicating whether the gradient cache returns freed native memory to the system
    /// after each chunk (see <see cref="GradientCacheOptions.TrimNativeHeap"/>). Default is <see langword="true"/>.</summary>
    public bool TrimNativeHeap { get; set; } = true;

    /// <summary>Gets or sets the number of threads libtorch uses inside one operation, set when <see cref="ContrastiveTrainer.Train"/>
    /// starts (process-wide; see <see cref="TorchRuntime.SetIntraOpThreads"/>); <see langword="null"/> keeps the current
    /// setting (libtorch's default: the number of physical cores). Default is <see langword="null"/>.</summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>Gets or sets an optional callback run after each epoch (encoders in eval mode) with the 0-based epoch;
    /// its score is recorded in <see cref="TrainingResult.ValidationScores"/>. Default is <see langword="null"/>.</summary>
    public Func<int, double>? Validation { get; set; }

    /// <summary>Gets or sets the ranks of a data-parallel job (for example <see cref="MpiCommunicator.World"/>), or
    /// <see langword="null"/> for one process; a communicator of one rank also trains as one process. Every rank must
    /// train on the same examples with the same options (see docs/distributed.md). Default is <see langword="null"/>.</summary>
    public ICommunicator? Communicator { get; set; }
}
