using Microsoft.ML.Runtime;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Evaluation;
using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Text;
using MLNet.Contrastive.Training;
using MLNet.Contrastive.Training.Distributed;

namespace MLNet.Contrastive.Transforms;

/// <summary>
/// What the estimator hands the core, built once from <see cref="ContrastiveEmbeddingOptions"/>
/// (<see cref="ContrastiveEmbeddingOptions.ToPlan"/>): the model to build, the loss, the trainer's settings, and the
/// process-level runtime settings this class applies.
/// </summary>
/// <param name="Encoder">The model to build or read.</param>
/// <param name="Loss">The loss and its temperature.</param>
/// <param name="Trainer">Batch, epochs, AdamW and schedule, freezing, seed and the gradient cache.</param>
/// <param name="IntraOpThreads">libtorch's intra-op threads, set when training starts; <see langword="null"/> keeps the pool.</param>
/// <param name="Distributed">Whether training runs data-parallel over MPI.</param>
/// <param name="Guide">Guided false-negative filtering, or <see langword="null"/> for none.</param>
internal sealed record TrainingPlan(EncoderSpec Encoder, LossSpec Loss, ContrastiveTrainer.Settings Trainer, int? IntraOpThreads, DistributedMode Distributed, GuideSpec? Guide = null)
{
    /// <summary>Checks every part, and the rules between parts, naming the option.</summary>
    /// <exception cref="ArgumentException">An option is invalid, or two contradict each other.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Distributed))
        {
            throw new ArgumentOutOfRangeException(nameof(Distributed), Distributed, "Unknown distributed mode.");
        }

        Encoder.Validate();
        Loss.Validate();
        Trainer.Validate();
        if (IntraOpThreads is { } threads)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads, nameof(IntraOpThreads));
        }

        // A pretrained model's layers are known only when it is read (TrainableParameters checks them then).
        if (!Encoder.IsPretrained && Trainer.FrozenLayers > 0 && Encoder.EncoderKind == EncoderKind.Static)
        {
            throw new ArgumentException(
                $"FrozenLayers ({Trainer.FrozenLayers}) needs a Transformer: the static encoder has no layers to freeze.", nameof(Trainer.FrozenLayers));
        }

        if (!Encoder.IsPretrained && Encoder.EncoderKind == EncoderKind.Transformer && Trainer.FrozenLayers > Encoder.Layers)
        {
            throw new ArgumentOutOfRangeException(nameof(Trainer.FrozenLayers), Trainer.FrozenLayers, $"At most Layers ({Encoder.Layers}) can be frozen.");
        }

        // A new encoder is its embeddings, its layers and a projection when the dimension differs from the width.
        var layersLeft = Encoder.EncoderKind == EncoderKind.Transformer ? Encoder.Layers - Trainer.FrozenLayers : 0;
        var projection = Encoder.EmbeddingDimension is { } dimension && dimension != Encoder.Width;
        if (!Encoder.IsPretrained && Trainer.Epochs > 0 && Trainer.FreezeEmbeddings && layersLeft == 0 && !projection)
        {
            throw new ArgumentOutOfRangeException(nameof(Trainer.FreezeEmbeddings), Trainer.FreezeEmbeddings,
                "Every encoder parameter would be frozen: nothing would be trained. Freeze fewer layers, or leave the embeddings trainable.");
        }

        if (Encoder.TruncatedDimension is { } truncated && Loss.MatryoshkaDimensions is { } levels && !levels.Contains(truncated))
        {
            throw new ArgumentException(
                $"TruncatedDimension ({truncated}) is not one of the MatryoshkaDimensions ([{string.Join(", ", levels)}]): only those prefixes are trained to be embeddings.",
                nameof(Encoder.TruncatedDimension));
        }

        if (!Encoder.IsPretrained)
        {
            CheckDimensions(Encoder.EmbeddingDimension ?? Encoder.Width);
        }

        if (Guide is { } guide)
        {
            if (!(guide.Margin >= 0) || double.IsInfinity(guide.Margin))
            {
                throw new ArgumentOutOfRangeException(nameof(GuideSpec.GuideMargin), guide.Margin, "Expected a finite GuideMargin >= 0.");
            }

            if (guide.ModelPath is null && !Encoder.IsPretrained)
            {
                throw new ArgumentException(
                    "GuidedNegativeFiltering guides with the starting checkpoint by default, and a model trained from scratch has none: set GuideModelPath to a pretrained model that tokenizes as this one does.",
                    nameof(GuideSpec.GuideModelPath));
            }
        }
    }

    /// <summary>Checks the Matryoshka dimensions against the model's (known from the options from scratch, when the
    /// checkpoint is read otherwise).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The largest is above the model's dimension.</exception>
    internal void CheckDimensions(int modelDimension)
    {
        if (Loss.MatryoshkaDimensions is { } levels && levels[^1] > modelDimension)
        {
            throw new ArgumentOutOfRangeException(nameof(Loss.MatryoshkaDimensions), levels[^1],
                $"The largest of the MatryoshkaDimensions ({levels[^1]}) is above the model's dimension ({modelDimension}).");
        }
    }
}

/// <summary>Guided false-negative filtering: the guide (a pretrained model, or the starting checkpoint) and the margin.</summary>
/// <param name="ModelPath">A pretrained folder or ONNX file, or <see langword="null"/> for the starting checkpoint, frozen.</param>
/// <param name="Margin">How far below the positive's guide similarity a candidate must stay to be kept.</param>
internal sealed record GuideSpec(string? ModelPath, double Margin)
{
    /// <summary>The option names (for errors).</summary>
    internal const string GuideModelPath = nameof(ContrastiveEmbeddingOptions.GuideModelPath), GuideMargin = nameof(ContrastiveEmbeddingOptions.GuideMargin);
}

/// <summary>
/// The bridge from a <see cref="TrainingPlan"/> to the TorchSharp core: builds the tokenizer and the model, and runs
/// <see cref="ContrastiveTrainer"/> (gradient cache, AdamW, schedule) on tokenized rows.
/// </summary>
internal static class EmbeddingTraining
{
    /// <summary>
    /// Everything that can fail before the data is read: the MPI library a distributed run needs, the tokenizer the plan
    /// asks for, and for a pretrained start the model itself (its tokenizer is the checkpoint's), whose layers must
    /// leave something to train. No model leaks on failure.
    /// </summary>
    /// <exception cref="InvalidOperationException">MPI is needed and no MPI library loads (the message says what to install).</exception>
    /// <exception cref="NotSupportedException">MPI is needed and the launcher is Open MPI's.</exception>
    /// <exception cref="ArgumentOutOfRangeException">More layers are frozen than the checkpoint has, or nothing would be trained (named).</exception>
    internal static (TextTokenizer Tokenizer, EmbeddingModel? Pretrained, ICommunicator? Communicator) Prepare(TrainingPlan plan)
    {
        var communicator = plan.Trainer.Epochs == 0 ? null : DistributedSetup.Resolve(plan.Distributed);
        if (!plan.Encoder.IsPretrained)
        {
            var tokenizer = EmbeddingModel.CreateTokenizer(plan.Encoder);
            if (plan.Guide?.ModelPath is { } path && plan.Trainer.Epochs > 0)
            {
                using var guide = LoadGuide(path, tokenizer, plan.Encoder.Device);
            }

            return (tokenizer, null, communicator);
        }

        var model = EmbeddingModel.Create(plan.Encoder);
        try
        {
            if (plan.Guide?.ModelPath is { } path && plan.Trainer.Epochs > 0)
            {
                using var guide = LoadGuide(path, model.Tokenizer, plan.Encoder.Device);
            }

            if (plan.Trainer.Epochs > 0)
            {
                TrainableParameters.Check([model.Encoder], plan.Trainer.FreezeEmbeddings, plan.Trainer.FrozenLayers);
            }

            plan.CheckDimensions(model.Encoder.Dimension);

            return (model.Tokenizer, model, communicator);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Builds the model, trains it on <paramref name="training"/>, and returns it with a summary. No model leaks on failure.</summary>
    internal static (EmbeddingModel Model, TrainingSummary Summary) Train(
        IChannel channel,
        TrainingPlan plan,
        TextTokenizer tokenizer,
        EmbeddingModel? pretrained,
        ICommunicator? communicator,
        TokenizedTrainingData training,
        TokenizedTrainingData? validation,
        Action<ContrastiveTrainingProgress> report,
        Action checkAlive,
        CancellationToken cancellation)
    {
        TorchRuntime.EnsureLoaded();
        if (plan.IntraOpThreads is { } threads)
        {
            // Before the model is built: initialisation and the vocabulary-compacted table run in this pool too.
            TorchRuntime.SetIntraOpThreads(threads);
        }

        var model = pretrained ?? CreateModel(plan.Encoder, tokenizer, training);
        try
        {
            var examples = model.VocabularyMap is { } map ? training.Examples.Select(e => MapExample(e, map)).ToArray() : training.Examples;
            var guide = plan.Guide is { } guideSpec && plan.Trainer.Epochs > 0 ? GuideFor(guideSpec, model, tokenizer, training, plan.Encoder.Device, channel, cancellation) : null;
            var settings = plan.Trainer with
            {
                Guide = guide,
                // At most the examples there are (an Epochs = 0 run of one row trains nothing and needs no negative).
                BatchSize = Math.Min(plan.Trainer.BatchSize, Math.Max(2, examples.Count)),
                Cache = plan.Trainer.Cache with { PaddingId = model.PaddingId },
                Validation = validation is null ? null : _ => ValidationRecallAt1(model, validation, channel),
                Communicator = communicator,
                Checkpoints = plan.Trainer.Checkpoints is { } checkpoints ? checkpoints with { Info = channel.Info, Warning = channel.Warning } : null,
            };

            // The temperature is a module of its own (a parameter for a learnable one): disposed when training ends.
            using var temperature = plan.Loss.CreateTemperature();
            var loss = plan.Loss.CreateLoss(temperature);

            // A cancelled context stops training before the next step (every rank at once under MPI, see
            // ContrastiveTrainer), never in the middle of a report, where other ranks would be left waiting.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            var progress = new SynchronousProgress<TrainingProgress>(p =>
            {
                report(new ContrastiveTrainingProgress(p.Epoch + 1, p.Step, p.TotalSteps, (float)p.Loss, p.ExamplesPerSecond, p.EstimatedRemaining)
                {
                    ResumedFromStep = p.ResumedFromStep,
                });
                try
                {
                    checkAlive();
                }
                catch (OperationCanceledException)
                {
                    stop.Cancel();
                }
            });
            checkAlive();
            var result = new ContrastiveTrainer(model.Encoder, null, loss, settings).Train(examples, progress, stop.Token);
            checkAlive();
            var summary = new TrainingSummary(examples.Count, training.TruncatedTexts, result.Steps, result.Losses, result.ValidationScores, result.Elapsed);
            return (model, summary);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    // The guide's embeddings of every training text (tokenizer ids, before any vocabulary map), each distinct text once:
    // the starting checkpoint before any step, or another pretrained model that tokenizes the same way.
    private static GuideEmbeddings GuideFor(GuideSpec spec, EmbeddingModel model, TextTokenizer tokenizer, TokenizedTrainingData training, DeviceKind device, IChannel channel, CancellationToken cancellation)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var loaded = spec.ModelPath is { } path ? LoadGuide(path, tokenizer, device) : null;
        var guide = loaded ?? model;
        var distinct = new Dictionary<string, int>(StringComparer.Ordinal);
        var texts = new List<int[]>();
        int Position(int[] ids)
        {
            var key = string.Join(',', ids);
            if (!distinct.TryGetValue(key, out var at))
            {
                at = texts.Count;
                distinct.Add(key, at);
                texts.Add(ids);
            }

            return at;
        }

        var queries = training.Examples.Select(e => Position(e.Query)).ToArray();
        var documents = training.Examples.Select(e => e.Negatives.Prepend(e.Positive).Select(Position).ToArray()).ToArray();
        var vectors = guide.EncodeTokenized(texts, cancellationToken: cancellation).Select(GuideEmbeddings.Unit).ToArray();
        var description = spec.ModelPath is null ? "the starting checkpoint" : $"'{Path.GetFileName(Path.TrimEndingDirectorySeparator(spec.ModelPath))}'";
        channel.Info($"Guide ({description}): embedded {texts.Count} distinct training texts in {clock.Elapsed.TotalSeconds:0.0} s.");
        return new GuideEmbeddings(
            queries.Select(q => vectors[q]).ToArray(), documents.Select(d => d.Select(i => vectors[i]).ToArray()).ToArray(), spec.Margin, description);
    }

    // A guide model that can judge the training texts: it reads the tokenizer's ids (same vocabulary and splitting) at
    // the training length.
    private static EmbeddingModel LoadGuide(string path, TextTokenizer tokenizer, DeviceKind device)
    {
        var guide = EmbeddingModel.Create(new EncoderSpec { PretrainedModelPath = path, Device = device });
        if (!guide.Tokenizer.SplitsLike(tokenizer) || guide.VocabularyMap is not null || guide.Encoder.MaxLength < tokenizer.MaxTokens)
        {
            var why = guide.Encoder.MaxLength < tokenizer.MaxTokens
                ? $"it takes at most {guide.Encoder.MaxLength} tokens, the training texts up to {tokenizer.MaxTokens}"
                : $"it tokenizes with {guide.Tokenizer.Describe()}, the model with {tokenizer.Describe()}";
            guide.Dispose();
            throw new ArgumentException(
                $"The guide '{path}' (GuideModelPath) cannot judge the training texts: {why}. A guide must read the model's token ids: the same vocabulary and lower-casing.",
                GuideSpec.GuideModelPath);
        }

        return guide;
    }

    private static EmbeddingModel CreateModel(EncoderSpec spec, TextTokenizer tokenizer, TokenizedTrainingData training)
    {
        var texts = training.Examples.SelectMany(e => e.Negatives.Prepend(e.Positive).Prepend(e.Query));
        return EmbeddingModel.Create(spec, tokenizer, texts);
    }

    private static ContrastiveExample MapExample(ContrastiveExample example, VocabularyMap map) =>
        new(map.Map(example.Query), map.Map(example.Positive), example.Negatives.Select(map.Map).ToArray(), example.Group);

    // Recall@1 of anchors against all validation positives (exact cosine search), with the final or epoch-end weights.
    private static double ValidationRecallAt1(EmbeddingModel model, TokenizedTrainingData validation, IChannel channel)
    {
        var map = model.VocabularyMap;
        var anchors = model.EncodeTokenized(validation.Examples.Select(e => map?.Map(e.Query) ?? e.Query).ToArray());
        var positives = model.EncodeTokenized(validation.Examples.Select(e => map?.Map(e.Positive) ?? e.Positive).ToArray());
        var ownPositive = Enumerable.Range(0, positives.Length).Select(i => (IReadOnlyCollection<int>)new[] { i }).ToArray();
        var recall = RetrievalEvaluator.Evaluate(anchors, positives, ownPositive).RecallAt1;
        channel.Info($"Validation recall@1: {recall:0.000} over {validation.Examples.Count} pairs.");
        return recall;
    }

    private sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}
