using System.Diagnostics;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Training.Checkpoints;
using MLNet.Contrastive.Training.Distributed;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Training;

/// <summary>
/// Trains text encoders in place on contrastive examples with the <see cref="GradientCache"/>, AdamW, a warmup-then-decay
/// learning rate and gradient-norm clipping.
/// </summary>
/// <remarks>
/// <para><b>Batches.</b> Each epoch shuffles the examples with the trainer's own <see cref="Random"/> seeded from
/// <see cref="Settings.Seed"/> and cuts them into batches of <see cref="Settings.BatchSize"/>.
/// A last partial batch is trained on when it holds at least 2 examples and dropped otherwise (a contrastive batch of
/// one has no negative; shuffling puts that example in a full batch in another epoch).</para>
/// <para><b>Divergence.</b> The loss and the gradient norm are checked before the optimizer steps: a NaN or infinite
/// value throws <see cref="TrainingDivergedException"/> and leaves the weights of the last good step.</para>
/// <para><b>Determinism.</b> The same seed, data and initial weights give the same weights (shuffling and dropout
/// replay are seeded; the global torch generator is reseeded per chunk, see <see cref="GradientCache"/>).</para>
/// <para>The encoders are put in training mode while training and in eval mode when it ends. A learnable temperature
/// is moved to the query encoder's device and optimised without weight decay.</para>
/// <para><b>Data-parallel.</b> With a <see cref="Settings.Communicator"/> of more than one rank, every rank
/// runs this loop on the same examples, options and seed: the ranks start from rank 0's weights, each step is a
/// <see cref="DistributedGradientCache"/> step on the same global batch, only rank 0 reports progress, and at the end
/// the ranks' weight checksums must agree. Cancellation is agreed: before each step the ranks gather their tokens, and
/// when any was cancelled every rank throws <see cref="OperationCanceledException"/> before the same step. A rank that
/// throws anything else writes its error and aborts the whole job (<see cref="ICommunicator.Abort"/>): the others would
/// otherwise wait forever. See docs/distributed.md.</para>
/// </remarks>
internal sealed class ContrastiveTrainer
{
    private readonly TextEncoder queryEncoder;
    private readonly TextEncoder? documentEncoder;
    private readonly ContrastiveLoss loss;
    private readonly Settings settings;

    /// <summary>Initializes a new instance of the <see cref="ContrastiveTrainer"/> class.</summary>
    /// <param name="queryEncoder">The query encoder, or the shared encoder; already on its device.</param>
    /// <param name="documentEncoder">The document encoder (two towers), or <see langword="null"/> to share the query encoder.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="settings">What to train for how long (checked here: see <see cref="Settings.Validate"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="queryEncoder"/>, <paramref name="loss"/> or <paramref name="settings"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (its name is the parameter name).</exception>
    public ContrastiveTrainer(TextEncoder queryEncoder, TextEncoder? documentEncoder, ContrastiveLoss loss, Settings settings)
    {
        ArgumentNullException.ThrowIfNull(queryEncoder);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        this.queryEncoder = queryEncoder;
        this.documentEncoder = documentEncoder;
        this.loss = loss;
        this.settings = settings;
    }

    /// <summary>Trains the encoders (and a learnable temperature) in place.</summary>
    /// <param name="examples">The training examples (at least 2, all with the same number of hard negatives).</param>
    /// <param name="progress">Receives one report after every optimizer step; may be null.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <returns>The steps, losses and validation scores; none with <see cref="Settings.Epochs"/> = 0.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="examples"/> is null.</exception>
    /// <exception cref="ArgumentException">Fewer than 2 examples, a null or empty text, or a different number of hard negatives between examples.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="TrainingDivergedException">A loss or gradient norm was NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">Data-parallel training ended with different weights on different ranks
    /// (with more than one rank every exception ends the job instead, after being written to standard error).</exception>
    public TrainingResult Train(IReadOnlyList<ContrastiveExample> examples, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (settings.Epochs == 0)
        {
            return new TrainingResult(0, [], [], TimeSpan.Zero);
        }

        var negatives = ContrastiveExample.CheckAll(examples);
        if (settings.Guide is { } guide && (guide.Queries.Length != examples.Count || guide.Documents.Any(d => d.Length != 1 + negatives)))
        {
            throw new ArgumentException($"The guide holds embeddings of {guide.Queries.Length} examples; training has {examples.Count} with {negatives} hard negatives each.", nameof(examples));
        }

        var batchesPerEpoch = (examples.Count / settings.BatchSize) + (examples.Count % settings.BatchSize >= 2 ? 1 : 0);
        var totalSteps = batchesPerEpoch * settings.Epochs;
        var warmup = settings.WarmupSteps ?? (int)Math.Floor(settings.WarmupRatio * totalSteps);
        var schedule = new LearningRateSchedule(settings.Schedule, Math.Min(warmup, totalSteps - 1), totalSteps);

        var device = queryEncoder.parameters().FirstOrDefault()?.device ?? CPU;
        loss.Temperature.to(device);
        TextEncoder[] encoders = documentEncoder is null ? [queryEncoder] : [queryEncoder, documentEncoder];
        var trainable = TrainableParameters.Select(encoders, settings.FreezeEmbeddings, settings.FrozenLayers);
        var lossParameters = loss.Parameters().ToArray();
        var allParameters = trainable.All.Concat(lossParameters).ToArray();
        var groups = new List<AdamW.ParamGroup>();
        if (trainable.Decay.Length > 0)
        {
            groups.Add(new AdamW.ParamGroup(trainable.Decay, lr: settings.LearningRate, weight_decay: settings.WeightDecay));
        }

        // Biases, LayerNorm parameters and a learnable temperature: no decay (BERT's fine-tuning recipe).
        var noDecay = trainable.NoDecay.Concat(lossParameters).ToArray();
        if (noDecay.Length > 0)
        {
            groups.Add(new AdamW.ParamGroup(noDecay, lr: settings.LearningRate, weight_decay: 0));
        }

        using var optimizer = optim.AdamW(groups, settings.LearningRate);
        var cache = new GradientCache(queryEncoder, documentEncoder, loss, settings.Cache with { ReplaySeed = settings.Seed });
        var communicator = settings.Communicator is { Size: > 1 } ranks ? ranks : null;
        Func<IReadOnlyList<int[]>, IReadOnlyList<int[]>, int, long[]?, long, NegativeMask?, GradientCacheStepResult> runStep =
            communicator is null ? cache.StepMasked : new DistributedGradientCache(cache, communicator).StepMasked;
        progress = communicator is { Rank: not 0 } ? null : progress;

        // Every weight, frozen or not, starts from rank 0's, is checked at the end, and is in a checkpoint.
        var named = NamedParameters(encoders);
        var synchronized = named.Select(p => p.Parameter).ToArray();

        var random = new Random(settings.Seed);
        var order = Enumerable.Range(0, examples.Count).ToArray();
        var losses = new List<double>();
        var scores = new List<double>();
        var clock = Stopwatch.StartNew();
        var before = TimeSpan.Zero;
        var step = 0;
        long examplesSeen = 0;
        var cancelledTogether = false;
        CheckpointRun? checkpoints = null;
        SetTraining(true);
        try
        {
            if (communicator is not null)
            {
                ParameterSync.BroadcastFromRoot(communicator, synchronized);
            }

            if (settings.Checkpoints is { } checkpointing)
            {
                checkpoints = new CheckpointRun(checkpointing, RunFingerprint.Of(settings, loss, encoders, synchronized, examples), communicator);
                if (checkpoints.Resume(named, optimizer) is { } resumed)
                {
                    (step, before) = (resumed.Step, resumed.Elapsed);
                    losses.AddRange(resumed.Losses);
                    scores.AddRange(resumed.ValidationScores);
                }
            }

            // The data order of the epochs done is replayed: each epoch's order follows from the seed and the one before.
            var resumedAt = step;
            for (var epoch = 0; epoch < resumedAt / batchesPerEpoch; epoch++)
            {
                random.Shuffle(order);
            }

            CheckpointProgress Progress() => new(checkpoints!.Fingerprint, step, totalSteps, before + clock.Elapsed, [.. losses], [.. scores]);
            for (var epoch = resumedAt / batchesPerEpoch; epoch < settings.Epochs; epoch++)
            {
                random.Shuffle(order);
                for (var b = epoch == resumedAt / batchesPerEpoch ? resumedAt % batchesPerEpoch : 0; b < batchesPerEpoch; b++)
                {
                    if (StopRequested(communicator, cancellationToken))
                    {
                        cancelledTogether = true;
                        throw new OperationCanceledException($"Training was cancelled before step {step}.", cancellationToken);
                    }

                    var indices = order.Skip(b * settings.BatchSize).Take(settings.BatchSize).ToArray();
                    var batch = indices.Select(i => examples[i]).ToArray();
                    var learningRate = settings.LearningRate * schedule.Factor(step);
                    var guided = settings.Guide?.Mask(indices, loss.Symmetric);
                    var value = TrainStep(optimizer, runStep, allParameters, batch, negatives, step, learningRate, guided);
                    losses.Add(value);
                    step++;
                    examplesSeen += batch.Length;
                    var elapsed = clock.Elapsed;
                    progress?.Report(new TrainingProgress(step, totalSteps, epoch, value, learningRate, examplesSeen / Math.Max(elapsed.TotalSeconds, 1e-9),
                        before + elapsed, elapsed / (step - resumedAt) * (totalSteps - step)) { ResumedFromStep = resumedAt });

                    // At the end of an epoch the checkpoint waits for the epoch's validation score.
                    if (b < batchesPerEpoch - 1 && checkpoints?.IsDue(step) == true)
                    {
                        checkpoints.Save(Progress(), named, optimizer);
                    }
                }

                if (settings.Validation is { } validate)
                {
                    SetTraining(false);
                    scores.Add(validate(epoch));
                    SetTraining(true);
                }

                if (checkpoints?.IsDue(step) == true)
                {
                    checkpoints.Save(Progress(), named, optimizer);
                }
            }

            if (communicator is not null)
            {
                ParameterSync.VerifyEqual(communicator, synchronized);
            }
        }
        catch (Exception error) when (communicator is not null && !cancelledTogether)
        {
            // Any other failure is one rank's alone: the others would wait for it forever in their next collective.
            DistributedFailure.Abort(communicator, error);
            throw;
        }
        finally
        {
            SetTraining(false);
            trainable.Restore();
        }

        return new TrainingResult(step, losses, scores, before + clock.Elapsed);
    }

    // The parameters of the encoders and the loss, each once, named for checkpoints: "encoder." (shared) or "query." and
    // "document." (two towers), then "loss.".
    private List<(string Name, Parameter Parameter)> NamedParameters(TextEncoder[] encoders)
    {
        var named = new List<(string, Parameter)>();
        for (var i = 0; i < encoders.Length; i++)
        {
            var prefix = encoders.Length == 1 ? "encoder." : i == 0 ? "query." : "document.";
            named.AddRange(encoders[i].named_parameters().Select(p => (prefix + p.name, p.parameter)));
        }

        named.AddRange(loss.Temperature.named_parameters().Select(p => ("loss." + p.name, p.parameter)));
        return named;
    }

    private double TrainStep(
        AdamW optimizer,
        Func<IReadOnlyList<int[]>, IReadOnlyList<int[]>, int, long[]?, long, NegativeMask?, GradientCacheStepResult> runStep,
        Parameter[] parameters, ContrastiveExample[] batch, int negatives, int step, double learningRate, NegativeMask? guided)
    {
        // zero_grad, clipping and the optimizer create gradient wrappers; the scope releases them each step.
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var queries = batch.Select(e => e.Query).ToArray();
        var documents = batch.SelectMany(e => e.Negatives.Prepend(e.Positive)).ToArray();
        long[]? groups = null;
        if (batch.Any(e => e.Group is not null))
        {
            // An example without a group gets a distinct id that no user group can collide with.
            groups = batch.Select((e, i) => e.Group ?? (long.MinValue + i)).ToArray();
        }

        var result = runStep(queries, documents, negatives, groups, step, guided);
        CheckFinite(optimizer, result.Loss, step, "loss");
        var norm = nn.utils.clip_grad_norm_(parameters, settings.MaxGradientNorm ?? double.PositiveInfinity);
        CheckFinite(optimizer, norm, step, "gradient norm");
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = learningRate;
        }

        optimizer.step();
        return result.Loss;
    }

    /// <summary>
    /// Whether training stops before the next step. With ranks, every rank's token is gathered (one small collective per
    /// step), so that all stop before the same step and leave together, with no rank left waiting in a collective.
    /// </summary>
    private static bool StopRequested(ICommunicator? communicator, CancellationToken cancellationToken) =>
        communicator is null
            ? cancellationToken.IsCancellationRequested
            : communicator.AllGather(cancellationToken.IsCancellationRequested ? 1L : 0L).Any(flag => flag != 0);

    private static void CheckFinite(AdamW optimizer, double value, int step, string what)
    {
        if (!double.IsFinite(value))
        {
            optimizer.zero_grad();
            throw new TrainingDivergedException($"Training diverged at step {step}: the {what} is {value}. The weights are those of the last good step; lower the learning rate or check the data.")
            {
                Step = step,
                Value = value,
            };
        }
    }

    private void SetTraining(bool training)
    {
        queryEncoder.train(training);
        documentEncoder?.train(training);
    }

    /// <summary>
    /// What a run trains and how: batch, epochs, AdamW and its schedule, freezing, seed, the gradient cache, and the
    /// data-parallel ranks. The ML.NET estimator builds one from <c>ContrastiveEmbeddingOptions</c> (same names, and
    /// these defaults are that class's); immutable, change with <c>with</c>.
    /// </summary>
    internal sealed record Settings
    {
        /// <summary>The peak learning rate from scratch when none is chosen.</summary>
        internal const double DefaultLearningRate = 1e-3;

        /// <summary>The peak learning rate from a pretrained model when none is chosen (the usual BERT fine-tuning rate).</summary>
        internal const double DefaultFineTuningLearningRate = 2e-5;

        /// <summary>Gets the examples per optimizer step (the contrastive batch), at least 2.</summary>
        public int BatchSize { get; init; } = 512;

        /// <summary>Gets the passes over the examples; 0 trains nothing.</summary>
        public int Epochs { get; init; } = 3;

        /// <summary>Gets the peak learning rate of AdamW.</summary>
        public double LearningRate { get; init; } = DefaultLearningRate;

        /// <summary>Gets AdamW's decoupled weight decay of the encoders' weights; biases, LayerNorm parameters and a
        /// learnable temperature never take it.</summary>
        public double WeightDecay { get; init; } = 0.01;

        /// <summary>Gets the fraction of all steps of linear warm-up, in [0, 1), unless <see cref="WarmupSteps"/> is set.</summary>
        public double WarmupRatio { get; init; } = 0.1;

        /// <summary>Gets the number of warm-up steps, or <see langword="null"/> for <see cref="WarmupRatio"/>.</summary>
        public int? WarmupSteps { get; init; }

        /// <summary>Gets the decay after warm-up.</summary>
        public LearningRateScheduleKind Schedule { get; init; } = LearningRateScheduleKind.Linear;

        /// <summary>Gets the largest L2 norm of all gradients together, or <see langword="null"/> for no clipping.</summary>
        public double? MaxGradientNorm { get; init; } = 1.0;

        /// <summary>Gets a value indicating whether the encoders' embeddings (<c>embeddings.*</c>) stay fixed.</summary>
        public bool FreezeEmbeddings { get; init; }

        /// <summary>Gets how many of the lowest Transformer layers stay fixed (checked against the encoder when training starts).</summary>
        public int FrozenLayers { get; init; }

        /// <summary>Gets the seed of the shuffling and of the dropout replay (it is the cache's replay seed).</summary>
        public int Seed { get; init; }

        /// <summary>Gets how the gradient cache chunks (its replay seed is <see cref="Seed"/>).</summary>
        public GradientCacheOptions Cache { get; init; } = new();

        /// <summary>Gets a callback run after each epoch (encoders in eval mode) with the 0-based epoch; its score is
        /// recorded in <see cref="TrainingResult.ValidationScores"/>.</summary>
        public Func<int, double>? Validation { get; init; }

        /// <summary>Gets a frozen guide's embeddings of the training examples (by index), whose batch masks take likely
        /// false negatives out of the loss, or <see langword="null"/> for no guide.</summary>
        public GuideEmbeddings? Guide { get; init; }

        /// <summary>Gets how the run writes checkpoints and resumes from them, or <see langword="null"/> for none.</summary>
        public CheckpointSettings? Checkpoints { get; init; }

        /// <summary>Gets the ranks of a data-parallel job, or <see langword="null"/> for one process (a communicator of
        /// one rank also trains as one process). Every rank trains on the same examples with the same settings.</summary>
        public ICommunicator? Communicator { get; init; }

        /// <summary>Throws naming the first invalid setting by its <c>ContrastiveEmbeddingOptions</c> name.</summary>
        /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
        public void Validate()
        {
            if (BatchSize < 2)
            {
                throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 2: each row's negatives are the other rows of its batch.");
            }

            ArgumentOutOfRangeException.ThrowIfNegative(Epochs, nameof(Epochs));
            if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            {
                throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Expected a finite learning rate > 0.");
            }

            if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
            {
                throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "Expected a finite weight decay >= 0.");
            }

            if (!(WarmupRatio >= 0 && WarmupRatio < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(WarmupRatio), WarmupRatio, "Expected a warm-up ratio in [0, 1).");
            }

            if (WarmupSteps is { } steps)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(steps, nameof(WarmupSteps));
            }

            if (MaxGradientNorm is { } norm && (!(norm > 0) || double.IsInfinity(norm)))
            {
                throw new ArgumentOutOfRangeException(nameof(MaxGradientNorm), norm, "Expected a finite gradient norm > 0, or null for no clipping.");
            }

            if (!Enum.IsDefined(Schedule))
            {
                throw new ArgumentOutOfRangeException(nameof(Schedule), Schedule, "Unknown schedule.");
            }

            ArgumentOutOfRangeException.ThrowIfNegative(FrozenLayers, nameof(FrozenLayers));
            Checkpoints?.Validate();
        }
    }
}
