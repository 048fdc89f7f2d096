using System.Diagnostics;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Losses;
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
/// <see cref="ContrastiveTrainerOptions.Seed"/> and cuts them into batches of <see cref="ContrastiveTrainerOptions.BatchSize"/>.
/// A last partial batch is trained on when it holds at least 2 examples and dropped otherwise (a contrastive batch of
/// one has no negative; shuffling puts that example in a full batch in another epoch).</para>
/// <para><b>Divergence.</b> The loss and the gradient norm are checked before the optimizer steps: a NaN or infinite
/// value throws <see cref="TrainingDivergedException"/> and leaves the weights of the last good step.</para>
/// <para><b>Determinism.</b> The same seed, data and initial weights give the same weights (shuffling and dropout
/// replay are seeded; the global torch generator is reseeded per chunk, see <see cref="GradientCache"/>).</para>
/// <para>The encoders are put in training mode while training and in eval mode when it ends. A learnable temperature
/// is moved to the query encoder's device and optimised without weight decay.</para>
/// <para><b>Data-parallel.</b> With a <see cref="ContrastiveTrainerOptions.Communicator"/> of more than one rank, every rank
/// runs this loop on the same examples, options and seed: the ranks start from rank 0's weights, each step is a
/// <see cref="DistributedGradientCache"/> step on the same global batch, only rank 0 reports progress, and at the end
/// the ranks' weight checksums must agree. A rank that throws writes its error and aborts the whole job
/// (<see cref="ICommunicator.Abort"/>): the others would otherwise wait forever. See docs/distributed.md.</para>
/// </remarks>
public sealed class ContrastiveTrainer
{
    private readonly TextEncoder queryEncoder;
    private readonly TextEncoder? documentEncoder;
    private readonly ContrastiveLoss loss;
    private readonly ContrastiveTrainerOptions options;

    /// <summary>Initializes a new instance of the <see cref="ContrastiveTrainer"/> class.</summary>
    /// <param name="queryEncoder">The query encoder, or the shared encoder; already on its device.</param>
    /// <param name="documentEncoder">The document encoder (two towers), or <see langword="null"/> to share the query encoder.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="options">The options; copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="queryEncoder"/>, <paramref name="loss"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (its name is the parameter name).</exception>
    public ContrastiveTrainer(TextEncoder queryEncoder, TextEncoder? documentEncoder, ContrastiveLoss loss, ContrastiveTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(queryEncoder);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(options);
        TrainerOptionsValidator.Validate(options);
        this.queryEncoder = queryEncoder;
        this.documentEncoder = documentEncoder;
        this.loss = loss;
        this.options = TrainerOptionsValidator.Copy(options);
    }

    /// <summary>Trains the encoders (and a learnable temperature) in place.</summary>
    /// <param name="examples">The training examples (at least 2, all with the same number of hard negatives).</param>
    /// <param name="progress">Receives one report after every optimizer step; may be null.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <returns>The steps, losses and validation scores.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="examples"/> is null.</exception>
    /// <exception cref="ArgumentException">Fewer than 2 examples, a null or empty text, or a different number of hard negatives between examples.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="TrainingDivergedException">A loss or gradient norm was NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">Data-parallel training ended with different weights on different ranks
    /// (with more than one rank every exception ends the job instead, after being written to standard error).</exception>
    public TrainingResult Train(IReadOnlyList<ContrastiveExample> examples, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var negatives = TrainerOptionsValidator.CheckExamples(examples);
        if (options.IntraOpThreads is { } threads)
        {
            TorchRuntime.SetIntraOpThreads(threads);
        }

        var batchesPerEpoch = (examples.Count / options.BatchSize) + (examples.Count % options.BatchSize >= 2 ? 1 : 0);
        var totalSteps = batchesPerEpoch * options.Epochs;
        var warmup = options.WarmupSteps ?? (int)Math.Floor(options.WarmupRatio * totalSteps);
        var schedule = new LearningRateSchedule(options.Schedule, Math.Min(warmup, totalSteps - 1), totalSteps);

        var device = queryEncoder.parameters().FirstOrDefault()?.device ?? CPU;
        loss.Temperature.to(device);
        TextEncoder[] encoders = documentEncoder is null ? [queryEncoder] : [queryEncoder, documentEncoder];
        var trainable = TrainableParameters.Select(encoders, options.FreezeEmbeddings, options.FrozenLayers);
        var lossParameters = loss.Parameters().ToArray();
        var allParameters = trainable.All.Concat(lossParameters).ToArray();
        var groups = new List<AdamW.ParamGroup>();
        if (trainable.Decay.Length > 0)
        {
            groups.Add(new AdamW.ParamGroup(trainable.Decay, lr: options.LearningRate, weight_decay: options.WeightDecay));
        }

        // Biases, LayerNorm parameters and a learnable temperature: no decay (BERT's fine-tuning recipe).
        var noDecay = trainable.NoDecay.Concat(lossParameters).ToArray();
        if (noDecay.Length > 0)
        {
            groups.Add(new AdamW.ParamGroup(noDecay, lr: options.LearningRate, weight_decay: 0));
        }

        using var optimizer = optim.AdamW(groups, options.LearningRate);
        var cache = new GradientCache(queryEncoder, documentEncoder, loss, new GradientCacheOptions
        {
            QueryChunkSize = options.QueryChunkSize,
            DocumentChunkSize = options.DocumentChunkSize,
            SortByLength = options.SortByLength,
            PaddingId = options.PaddingId,
            ReplaySeed = options.Seed,
            TrimNativeHeap = options.TrimNativeHeap,
        });
        var communicator = options.Communicator is { Size: > 1 } ranks ? ranks : null;
        Func<IReadOnlyList<int[]>, IReadOnlyList<int[]>, int, long[]?, long, GradientCacheStepResult> runStep =
            communicator is null ? cache.Step : new DistributedGradientCache(cache, communicator).Step;
        progress = communicator is { Rank: not 0 } ? null : progress;

        // Every weight, frozen or not, starts from rank 0's and is checked at the end.
        var synchronized = cache.EncoderParameters().Concat(lossParameters).ToArray();

        var random = new Random(options.Seed);
        var order = Enumerable.Range(0, examples.Count).ToArray();
        var losses = new List<double>();
        var scores = new List<double>();
        var clock = Stopwatch.StartNew();
        var step = 0;
        long examplesSeen = 0;
        SetTraining(true);
        try
        {
            if (communicator is not null)
            {
                ParameterSync.BroadcastFromRoot(communicator, synchronized);
            }

            for (var epoch = 0; epoch < options.Epochs; epoch++)
            {
                random.Shuffle(order);
                for (var b = 0; b < batchesPerEpoch; b++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var batch = order.Skip(b * options.BatchSize).Take(options.BatchSize).Select(i => examples[i]).ToArray();
                    var learningRate = options.LearningRate * schedule.Factor(step);
                    var value = TrainStep(optimizer, runStep, allParameters, batch, negatives, step, learningRate);
                    losses.Add(value);
                    step++;
                    examplesSeen += batch.Length;
                    var elapsed = clock.Elapsed;
                    progress?.Report(new TrainingProgress(step, totalSteps, epoch, value, learningRate, examplesSeen / Math.Max(elapsed.TotalSeconds, 1e-9),
                        elapsed, elapsed / step * (totalSteps - step)));
                }

                if (options.Validation is { } validate)
                {
                    SetTraining(false);
                    scores.Add(validate(epoch));
                    SetTraining(true);
                }
            }

            if (communicator is not null)
            {
                ParameterSync.VerifyEqual(communicator, synchronized);
            }
        }
        catch (Exception error) when (communicator is not null)
        {
            DistributedFailure.Abort(communicator, error);
            throw;
        }
        finally
        {
            SetTraining(false);
            trainable.Restore();
        }

        return new TrainingResult(step, losses, scores, clock.Elapsed);
    }

    private double TrainStep(
        AdamW optimizer,
        Func<IReadOnlyList<int[]>, IReadOnlyList<int[]>, int, long[]?, long, GradientCacheStepResult> runStep,
        Parameter[] parameters, ContrastiveExample[] batch, int negatives, int step, double learningRate)
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

        var result = runStep(queries, documents, negatives, groups, step);
        CheckFinite(optimizer, result.Loss, step, "loss");
        var norm = nn.utils.clip_grad_norm_(parameters, options.MaxGradientNorm ?? double.PositiveInfinity);
        CheckFinite(optimizer, norm, step, "gradient norm");
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = learningRate;
        }

        optimizer.step();
        return result.Loss;
    }

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
}
