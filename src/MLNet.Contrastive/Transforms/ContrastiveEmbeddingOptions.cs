using Microsoft.ML;
using Microsoft.ML.Tokenizers;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Training;
using MLNet.Contrastive.Training.Checkpoints;
using MLNet.Contrastive.Training.Distributed;

namespace MLNet.Contrastive.Transforms;

/// <summary>
/// Options of <see cref="ContrastiveEmbeddingEstimator"/>: the training columns, the columns embedded at transform
/// time, the tokenizer, the encoder, the loss and the optimisation schedule.
/// </summary>
/// <remarks>
/// <para>The estimator validates these options once, when it is created (an invalid option throws there, named), and
/// keeps what it needs; later changes have no effect on it.</para>
/// <para>The defaults are the recipe for training from scratch on a CPU that docs/getting-started.md and
/// docs/experiments.md measured: the static encoder, batches of 512 pairs in gradient-cache chunks of 64, 3 epochs, AdamW
/// at 1e-3 with 10% warm-up, InfoNCE at temperature 0.05. From a pretrained checkpoint the learning rate defaults to
/// 2e-5, with the same warm-up, weight decay 0.01 (not on biases and LayerNorm) and temperature; see docs/pretrained.md,
/// "Fine-tuning".</para>
/// </remarks>
public sealed class ContrastiveEmbeddingOptions
{
    /// <summary>The output column of the default <see cref="Columns"/>, embedded from <see cref="AnchorColumnName"/>.</summary>
    internal const string DefaultOutputColumnName = "Embedding";

    /// <summary>The embedding size of a model trained from scratch when <see cref="EmbeddingDimension"/> is not set.</summary>
    internal const int DefaultEmbeddingDimension = 128;

    // The defaults of the settings the core holds are the core's own, written once there.
    private static readonly EncoderSpec EncoderDefaults = new();
    private static readonly LossSpec LossDefaults = new();
    private static readonly ContrastiveTrainer.Settings TrainerDefaults = new();
    private static readonly CheckpointSettings CheckpointDefaults = new() { Directory = "." };

    /// <summary>Gets or sets the name of the anchor text column. Default is <c>"Anchor"</c>.</summary>
    public string AnchorColumnName { get; set; } = "Anchor";

    /// <summary>Gets or sets the name of the positive text column. Default is <c>"Positive"</c>.</summary>
    public string PositiveColumnName { get; set; } = "Positive";

    /// <summary>Gets or sets the names of hard-negative text columns (one negative per column and row). Default is empty.</summary>
    public string[] NegativeColumnNames { get; set; } = Array.Empty<string>();

    /// <summary>
    /// Gets or sets the name of an optional group column (text or integer): rows of one group are never negatives of
    /// each other. A missing text value (null, empty or white space) means the row is in no group: it is every other
    /// row's negative. If every row has the same group (and no hard negative), no row has a negative and Fit throws.
    /// Default is <see langword="null"/> (no groups).
    /// </summary>
    public string? GroupColumnName { get; set; }

    /// <summary>
    /// Gets or sets the columns the fitted transformer embeds, as (output, input) pairs; every input is a text column.
    /// Default is <see langword="null"/>: one output column <c>"Embedding"</c> from <see cref="AnchorColumnName"/>.
    /// </summary>
    public InputOutputColumnPair[]? Columns { get; set; }

    /// <summary>
    /// Gets or sets the tokenizer. Default is <see langword="null"/>: the built-in cl100k_base tokenizer, unless
    /// <see cref="VocabularyPath"/> is set. A tokenizer instance trains and transforms, but a model built on one cannot be
    /// saved (ML.NET's tokenizers do not expose what they were built from); use <see cref="VocabularyPath"/> or the built-in one to save.
    /// </summary>
    public Tokenizer? Tokenizer { get; set; }

    /// <summary>
    /// Gets or sets the path of a WordPiece vocabulary file (one token a line) to build a tokenizer from. Default is
    /// <see langword="null"/>. At most one of <see cref="Tokenizer"/> and <see cref="VocabularyPath"/> may be set.
    /// </summary>
    public string? VocabularyPath { get; set; }

    /// <summary>
    /// Gets or sets the encoder architecture of a model trained from scratch (a pretrained checkpoint is always a
    /// Transformer). Default is <see cref="EncoderKind.Static"/>, which trains much faster on a CPU than a Transformer
    /// of the same width (docs/getting-started.md and docs/benchmarks.md give the measurements).
    /// </summary>
    public EncoderKind EncoderKind { get; set; } = EncoderDefaults.EncoderKind;

    /// <summary>Gets or sets the number of Transformer layers. Default is 2.</summary>
    public int Layers { get; set; } = EncoderDefaults.Layers;

    /// <summary>Gets or sets the number of attention heads; it must divide <see cref="Width"/>. Default is 4.</summary>
    public int Heads { get; set; } = EncoderDefaults.Heads;

    /// <summary>Gets or sets the width (hidden size) of the encoder. Default is 128.</summary>
    public int Width { get; set; } = EncoderDefaults.Width;

    /// <summary>Gets or sets the width of the Transformer's feed-forward layers. Default is 512.</summary>
    public int FeedForwardWidth { get; set; } = EncoderDefaults.FeedForwardWidth;

    /// <summary>Gets or sets the dropout probability of the Transformer (embeddings, sub-layers, attention). Default is 0.1.</summary>
    public double Dropout { get; set; } = EncoderDefaults.Dropout;

    /// <summary>
    /// Gets or sets the maximum number of tokens per text, special tokens included; longer texts are truncated. Default
    /// is <see langword="null"/>: 128 from scratch; for a pretrained model its configured maximum (sentence_bert_config.json
    /// max_seq_length), else its position count (512). For a Transformer it is at most the position table (8,192 from
    /// scratch, the checkpoint's <c>max_position_embeddings</c> otherwise) and at most <c>sqrt(2^28 / Heads)</c>, the
    /// attention scores one forward pass may hold (docs/reliability.md): a larger value is an error naming the limit.
    /// </summary>
    public int? MaxTokens { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the embedding table of a model trained from scratch holds only the token
    /// ids seen in the training texts (plus one row for unseen ids) instead of the whole tokenizer vocabulary (100,256
    /// rows for cl100k_base). Compaction makes the model smaller and training faster; without it, texts at transform time
    /// keep tokens that training never saw apart (their rows stay at their initial values). Not possible with a
    /// <see cref="Tokenizer"/> instance (its vocabulary size is unknown); ignored with a pretrained checkpoint. Default is <see langword="true"/>.
    /// </summary>
    public bool CompactVocabulary { get; set; } = EncoderDefaults.CompactVocabulary;

    /// <summary>
    /// Gets or sets the size of the output embeddings; a size other than the encoder's width adds a trained linear
    /// projection. Default is <see langword="null"/>: 128 from scratch; for a pretrained model its own width, with no projection.
    /// </summary>
    public int? EmbeddingDimension { get; set; }

    /// <summary>
    /// Gets or sets nested embedding sizes to train with a Matryoshka loss (Kusupati et al. 2022): the loss is the weighted
    /// sum, over each size <c>m</c>, of <see cref="Loss"/> on the first <c>m</c> values of every embedding (normalised
    /// again), so that each prefix is a usable embedding of its own (a smaller index, a faster search). Ascending, each at
    /// most the model's dimension; include the full dimension to train it too, e.g. <c>[64, 128, 384]</c>. Computed in the
    /// gradient cache's loss stage: the encoder passes cost the same. Default is <see langword="null"/>: the whole
    /// embeddings only (docs/losses.md, "Matryoshka").
    /// </summary>
    public int[]? MatryoshkaDimensions { get; set; }

    /// <summary>Gets or sets the weight of each of <see cref="MatryoshkaDimensions"/> (one each, positive). Default is
    /// <see langword="null"/>: 1 for every size.</summary>
    public double[]? MatryoshkaWeights { get; set; }

    /// <summary>
    /// Gets or sets the size of the embeddings the fitted transformer outputs, when smaller than the model's: the first
    /// values of each (normalised again when the model normalises). Saved with the model, shown in its card, and kept by the
    /// generator and the ONNX export. With <see cref="MatryoshkaDimensions"/> it must be one of them. Default is
    /// <see langword="null"/>: the whole embeddings.
    /// </summary>
    public int? TruncatedDimension { get; set; }

    /// <summary>
    /// Gets or sets how token states are pooled into one vector. Default is <see langword="null"/>: mean from scratch;
    /// for a pretrained model what its sentence-transformers configuration (1_Pooling/config.json) says, else mean.
    /// </summary>
    public PoolingMode? Pooling { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the output embeddings are L2-normalised. Default is <see langword="null"/>:
    /// no from scratch; for a pretrained model, yes when its modules.json has a Normalize module.
    /// </summary>
    public bool? Normalize { get; set; }

    /// <summary>
    /// Gets or sets a local pretrained model to start from: a Hugging Face / sentence-transformers folder, or an ONNX
    /// file with vocab.txt beside it (docs/pretrained.md). When set, it defines the encoder and tokenizer; the size options
    /// above, <see cref="Tokenizer"/> and vocabulary compaction are not used. Default is <see langword="null"/> (train from scratch).
    /// </summary>
    public string? PretrainedModelPath { get; set; }

    /// <summary>Gets or sets <see cref="PretrainedModelPath"/>, its older name (it also takes ONNX files).</summary>
    [Obsolete("Use PretrainedModelPath, which this property reads and writes (it also takes ONNX files).")]
    public string? PretrainedCheckpointDirectory
    {
        get => PretrainedModelPath;
        set => PretrainedModelPath = value;
    }

    /// <summary>
    /// Gets or sets text put before every query: the anchors in training and validation, and the inputs of the query
    /// columns at transform time (see <see cref="QueryColumnNames"/>), for models trained with an instruction such as
    /// arctic-embed's <c>"Represent this sentence for searching relevant passages: "</c>. Default is <see langword="null"/> (none).
    /// </summary>
    public string? QueryPrefix { get; set; }

    /// <summary>
    /// Gets or sets text put before every document: positives and hard negatives in training, and the inputs of every
    /// output column that is not a query column at transform time. Default is <see langword="null"/> (none).
    /// </summary>
    public string? DocumentPrefix { get; set; }

    /// <summary>
    /// Gets or sets which output columns of <see cref="Columns"/> embed queries (their input gets <see cref="QueryPrefix"/>;
    /// every other output column gets <see cref="DocumentPrefix"/>). Default is <see langword="null"/>: the output
    /// columns whose input is <see cref="AnchorColumnName"/>.
    /// </summary>
    public string[]? QueryColumnNames { get; set; }

    /// <summary>Gets or sets the loss (see docs/losses.md). Default is <see cref="LossKind.InfoNce"/>.</summary>
    public LossKind Loss { get; set; } = LossDefaults.Loss;

    /// <summary>Gets or sets the softmax temperature τ of the loss (similarities are divided by τ). Default is 0.05.</summary>
    public float Temperature { get; set; } = LossDefaults.Temperature;

    /// <summary>Gets or sets a value indicating whether the temperature is learned, starting from <see cref="Temperature"/>. Default is <see langword="false"/>.</summary>
    public bool LearnableTemperature { get; set; }

    /// <summary>
    /// Gets or sets the number of examples per optimizer step (the contrastive batch: 511 negatives per query at 512);
    /// at most the number of training examples is used. Keep it at most about a tenth of the data so that an epoch has
    /// several steps. Default is 512.
    /// </summary>
    public int BatchSize { get; set; } = TrainerDefaults.BatchSize;

    /// <summary>Gets or sets the number of texts per forward/backward chunk of the gradient cache; it bounds memory, not the result. Default is 64.</summary>
    public int ChunkSize { get; set; } = TrainerDefaults.Cache.ChunkSize;

    /// <summary>
    /// Gets or sets a value indicating whether the gradient cache returns freed native memory to the system after each
    /// chunk (glibc <c>malloc_trim</c>), which keeps a large batch's resident memory near one chunk's; see
    /// docs/gradient-cache.md. Default is <see langword="true"/>.
    /// </summary>
    public bool TrimNativeHeap { get; set; } = TrainerDefaults.Cache.TrimNativeHeap;

    /// <summary>
    /// Gets or sets how many texts the fitted transformer encodes in one forward pass (rows are read ahead, sorted by
    /// length and cut into such batches). Larger batches amortise per-call overhead; memory grows with batch size times
    /// text length. At most 65,536. Saved with the model. Default is 64.
    /// </summary>
    public int TransformBatchSize { get; set; } = ContrastiveEmbeddingTransformer.DefaultTransformBatchSize;

    /// <summary>
    /// Gets or sets the number of passes over the training data. 0 trains nothing: the transformer embeds with the
    /// initial weights (the same tokenizer, vocabulary, architecture and seed that training would start from), a fair
    /// "before training" baseline. Default is 3.
    /// </summary>
    public int Epochs { get; set; } = TrainerDefaults.Epochs;

    /// <summary>
    /// Gets or sets the peak learning rate of AdamW. Default is <see langword="null"/>: 1e-3 from scratch, 2e-5 for a
    /// pretrained start (<see cref="PretrainedModelPath"/>), the usual fine-tuning rate of BERT-style encoders (a
    /// from-scratch rate would wipe out what the checkpoint knows).
    /// </summary>
    public double? LearningRate { get; set; }

    /// <summary>
    /// Gets or sets AdamW's decoupled weight decay, applied to every trainable weight except biases and LayerNorm
    /// parameters (as in BERT's and sentence-transformers' recipes). Default is 0.01.
    /// </summary>
    public double WeightDecay { get; set; } = TrainerDefaults.WeightDecay;

    /// <summary>
    /// Gets or sets a value indicating whether the token, position and type embeddings are frozen (not updated) during
    /// training; useful when fine-tuning a pretrained model on little data. Default is <see langword="false"/>.
    /// </summary>
    public bool FreezeEmbeddings { get; set; }

    /// <summary>
    /// Gets or sets how many of the lowest Transformer layers are frozen during training: their weights keep their
    /// values and get no gradient or optimizer state, so a step is cheaper (docs/pretrained.md, "Fine-tuning"). With
    /// <see cref="FreezeEmbeddings"/> too, the backward pass stops at the lowest trainable layer; without it, it still
    /// runs through the frozen layers to reach the embeddings. At most the encoder's layer count (the static encoder
    /// has none); checked when <see cref="ContrastiveEmbeddingEstimator.Fit"/> builds the model. Default is 0.
    /// </summary>
    public int FrozenLayers { get; set; }

    /// <summary>Gets or sets the fraction of steps of linear warm-up, in [0, 1). Default is 0.1.</summary>
    public double WarmupRatio { get; set; } = TrainerDefaults.WarmupRatio;

    /// <summary>
    /// Gets or sets the seed of initialisation, shuffling and dropout. Default is <see langword="null"/>: the seed of
    /// the <see cref="MLContext"/> (and 0 when the context has none).
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Gets or sets the number of threads libtorch uses inside one operation, set when <see cref="ContrastiveEmbeddingEstimator.Fit"/>
    /// starts. libtorch has one such pool per process, so the setting also applies to later transforms and to other
    /// models in the process (see <see cref="TorchRuntime.SetIntraOpThreads"/> and docs/performance.md). Default is
    /// <see langword="null"/>: libtorch's default, the number of physical cores.
    /// </summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a frozen guide model filters false negatives out of each batch (GISTEmbed,
    /// as sentence-transformers' CachedGISTEmbedLoss): before training the guide embeds every training text once; in
    /// each batch, an in-batch or hard negative that the guide scores above the anchor-positive similarity minus
    /// <see cref="GuideMargin"/> is masked out of the loss, like a row of the same group. The guide is
    /// <see cref="GuideModelPath"/>, else the starting checkpoint before any step. Default is <see langword="false"/>
    /// (docs/hard-negatives.md).
    /// </summary>
    public bool GuidedNegativeFiltering { get; set; }

    /// <summary>Gets or sets the guide of <see cref="GuidedNegativeFiltering"/>: a pretrained folder or ONNX file that
    /// tokenizes as the model does (same vocabulary and lower-casing). Default is <see langword="null"/>: the starting checkpoint.</summary>
    public string? GuideModelPath { get; set; }

    /// <summary>Gets or sets how far below the positive's guide similarity a candidate must stay to be kept (absolute,
    /// in cosine). Default is 0: any candidate the guide ranks above the positive is masked.</summary>
    public double GuideMargin { get; set; }

    /// <summary>
    /// Gets or sets a folder for checkpoints of the training run, so that a Fit stopped by a crash, a kill or a reboot
    /// goes on where it stopped: a Fit with the same options and data resumes from the newest complete checkpoint there
    /// and ends with the weights an uninterrupted Fit gets (bit for bit on a CPU). A checkpoint holds the weights, AdamW's
    /// state, the step, the losses so far and a fingerprint of the options and data; a folder whose checkpoints belong
    /// to other options or data is refused, naming what differs (see <see cref="IgnoreIncompatibleCheckpoints"/>).
    /// Under MPI rank 0 writes and every rank resumes from the same checkpoint, so the folder must be one that every
    /// rank reads. The folder is created when missing; delete its files to train anew (docs/reliability.md,
    /// "Checkpoints"). Default is <see langword="null"/>: no checkpoints.
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Gets or sets the optimizer steps between two checkpoints (with <see cref="CheckpointDirectory"/>); a
    /// checkpoint is written when this or <see cref="CheckpointEveryMinutes"/> comes first. Default is <see langword="null"/>: none by steps.</summary>
    public int? CheckpointEverySteps { get; set; } = CheckpointDefaults.EverySteps;

    /// <summary>Gets or sets the minutes of training between two checkpoints (with <see cref="CheckpointDirectory"/>).
    /// Default is 10.</summary>
    public double? CheckpointEveryMinutes { get; set; } = CheckpointDefaults.EveryMinutes;

    /// <summary>Gets or sets how many of the run's newest checkpoints are kept; older ones are deleted after each write.
    /// Default is 2.</summary>
    public int CheckpointsToKeep { get; set; } = CheckpointDefaults.Keep;

    /// <summary>Gets or sets a value indicating whether checkpoints of other options or data in
    /// <see cref="CheckpointDirectory"/> are left alone (a warning names them and the run starts from the beginning)
    /// instead of failing the Fit. Default is <see langword="false"/>.</summary>
    public bool IgnoreIncompatibleCheckpoints { get; set; }

    /// <summary>Gets or sets where training and inference run. Default is <see cref="DeviceKind.Auto"/>.</summary>
    public DeviceKind Device { get; set; } = DeviceKind.Auto;

    /// <summary>
    /// Gets or sets whether training runs data-parallel over MPI, with in-batch negatives from the whole global batch
    /// (docs/distributed.md). <see cref="DistributedMode.Auto"/>: distributed when started by an MPI launcher with more
    /// than one rank (for example <c>mpiexec -n 2 dotnet run</c>), otherwise one process and no MPI library is loaded.
    /// Every rank must fit the same data with the same options; <see cref="BatchSize"/> is the global batch. Only rank 0
    /// reports progress; save the model on rank 0 only (<see cref="MpiLauncher.Rank"/>). Default is <see cref="DistributedMode.Auto"/>.
    /// </summary>
    public DistributedMode Distributed { get; set; } = DistributedMode.Auto;

    /// <summary>
    /// Gets or sets validation data with the same text columns as the training data, evaluated after each epoch.
    /// Default is <see langword="null"/>.
    /// </summary>
    public IDataView? ValidationData { get; set; }

    /// <summary>Gets or sets a receiver of a report after each training step. Default is <see langword="null"/>.</summary>
    public IProgress<ContrastiveTrainingProgress>? Progress { get; set; }

    /// <summary>
    /// Gets or sets a token that cancels <see cref="ContrastiveEmbeddingEstimator.Fit"/> between steps (it then throws
    /// <see cref="OperationCanceledException"/> and returns no model). Default is <see cref="CancellationToken.None"/>.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// Checks the options the ML.NET layer itself uses (columns, prefixes, transform batch) and returns a copy the caller
    /// cannot change afterwards, with <see cref="Columns"/> filled in. Throws an <see cref="ArgumentException"/> naming the option.
    /// </summary>
    internal ContrastiveEmbeddingOptions Freeze()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(AnchorColumnName, nameof(AnchorColumnName));
        ArgumentException.ThrowIfNullOrWhiteSpace(PositiveColumnName, nameof(PositiveColumnName));
        ArgumentNullException.ThrowIfNull(NegativeColumnNames, nameof(NegativeColumnNames));
        foreach (var negative in NegativeColumnNames)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(negative, nameof(NegativeColumnNames));
        }

        if (GroupColumnName is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(GroupColumnName, nameof(GroupColumnName));
        }

        var outputs = new HashSet<string>();
        if (Columns is { } columns)
        {
            if (columns.Length == 0)
            {
                throw new ArgumentException("At least one (output, input) column pair is needed, or null for the default.", nameof(Columns));
            }

            foreach (var pair in columns)
            {
                ArgumentNullException.ThrowIfNull(pair, nameof(Columns));
                ArgumentException.ThrowIfNullOrWhiteSpace(pair.OutputColumnName, nameof(Columns));
                ArgumentException.ThrowIfNullOrWhiteSpace(pair.InputColumnName, nameof(Columns));
                if (!outputs.Add(pair.OutputColumnName))
                {
                    throw new ArgumentException($"Output column '{pair.OutputColumnName}' is given more than once.", nameof(Columns));
                }
            }
        }
        else
        {
            outputs.Add(DefaultOutputColumnName);
        }

        foreach (var name in QueryColumnNames ?? [])
        {
            if (name is null || !outputs.Contains(name))
            {
                throw new ArgumentException(
                    $"QueryColumnNames: '{name}' is not an output column of Columns ({string.Join(", ", outputs)}).", nameof(QueryColumnNames));
            }
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TransformBatchSize, nameof(TransformBatchSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(TransformBatchSize, ContrastiveEmbeddingTransformer.MaxTransformBatchSize, nameof(TransformBatchSize));

        // Every other member is a value or a reference the estimator only reads: a memberwise copy, arrays cloned.
        var copy = (ContrastiveEmbeddingOptions)MemberwiseClone();
        copy.NegativeColumnNames = [.. NegativeColumnNames];
        copy.Columns = Columns?.Select(c => new InputOutputColumnPair(c.OutputColumnName, c.InputColumnName)).ToArray()
            ?? [new InputOutputColumnPair(DefaultOutputColumnName, AnchorColumnName)];
        copy.QueryColumnNames = QueryColumnNames is null ? null : [.. QueryColumnNames];
        copy.MatryoshkaDimensions = MatryoshkaDimensions is null ? null : [.. MatryoshkaDimensions];
        copy.MatryoshkaWeights = MatryoshkaWeights is null ? null : [.. MatryoshkaWeights];
        return copy;
    }

    /// <summary>
    /// Builds what the core takes from these options, once: the model to build, the loss, the trainer's settings (with the
    /// gradient cache's) and the runtime; each part checks its own settings. Throws an <see cref="ArgumentException"/>
    /// naming the option.
    /// </summary>
    /// <param name="seed">The run's seed (<see cref="Seed"/>, else the context's).</param>
    internal TrainingPlan ToPlan(int seed)
    {
        var plan = new TrainingPlan(
            new EncoderSpec
            {
                PretrainedModelPath = PretrainedModelPath, EncoderKind = EncoderKind, Layers = Layers, Heads = Heads, Width = Width,
                FeedForwardWidth = FeedForwardWidth, Dropout = Dropout, MaxTokens = MaxTokens, Pooling = Pooling, Normalize = Normalize,
                // From scratch the embeddings default to 128 wide (a projection when the width differs); a pretrained model keeps its width.
                EmbeddingDimension = EmbeddingDimension ?? (PretrainedModelPath is null ? DefaultEmbeddingDimension : null),
                CompactVocabulary = CompactVocabulary, VocabularyPath = VocabularyPath, Tokenizer = Tokenizer, Device = Device, Seed = seed,
                TruncatedDimension = TruncatedDimension,
            },
            new LossSpec
            {
                Loss = Loss, Temperature = Temperature, LearnableTemperature = LearnableTemperature,
                MatryoshkaDimensions = MatryoshkaDimensions?.ToArray(), MatryoshkaWeights = MatryoshkaWeights?.ToArray(),
            },
            new ContrastiveTrainer.Settings
            {
                BatchSize = BatchSize, Epochs = Epochs, WeightDecay = WeightDecay, WarmupRatio = WarmupRatio,
                LearningRate = LearningRate ?? (PretrainedModelPath is null
                    ? ContrastiveTrainer.Settings.DefaultLearningRate
                    : ContrastiveTrainer.Settings.DefaultFineTuningLearningRate),
                FreezeEmbeddings = FreezeEmbeddings, FrozenLayers = FrozenLayers, Seed = seed,
                Cache = new GradientCacheOptions { ChunkSize = ChunkSize, TrimNativeHeap = TrimNativeHeap },
                Checkpoints = CheckpointDirectory is null ? null : new CheckpointSettings
                {
                    Directory = CheckpointDirectory, EverySteps = CheckpointEverySteps, EveryMinutes = CheckpointEveryMinutes,
                    Keep = CheckpointsToKeep, IgnoreIncompatible = IgnoreIncompatibleCheckpoints,
                },
            },
            IntraOpThreads,
            Distributed,
            GuidedNegativeFiltering ? new GuideSpec(GuideModelPath, GuideMargin) : null);
        if (!GuidedNegativeFiltering && GuideModelPath is not null)
        {
            throw new ArgumentException("GuideModelPath is set but GuidedNegativeFiltering is off: set GuidedNegativeFiltering = true to use the guide.", nameof(GuideModelPath));
        }

        plan.Validate();
        return plan;
    }

    /// <summary>The prefix of each output column of a frozen copy (see <see cref="Freeze"/>): query or document.</summary>
    internal string[] ColumnPrefixes() => Columns!
        .Select(c => (QueryColumnNames?.Contains(c.OutputColumnName) ?? c.InputColumnName == AnchorColumnName)
            ? QueryPrefix ?? string.Empty
            : DocumentPrefix ?? string.Empty)
        .ToArray();
}
