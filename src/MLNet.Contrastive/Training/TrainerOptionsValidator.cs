namespace MLNet.Contrastive.Training;

/// <summary>Checks and copies <see cref="ContrastiveTrainerOptions"/>, and checks training examples.</summary>
internal static class TrainerOptionsValidator
{
    public static void Validate(ContrastiveTrainerOptions o)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(o.BatchSize, 2, "options.BatchSize");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.QueryChunkSize, "options.QueryChunkSize");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.DocumentChunkSize, "options.DocumentChunkSize");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.Epochs, "options.Epochs");
        CheckPositiveFinite(o.LearningRate, "options.LearningRate");
        if (o.WarmupSteps is { } w)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(w, "options.WarmupSteps");
        }

        if (!(o.WarmupRatio >= 0 && o.WarmupRatio < 1))
        {
            throw new ArgumentOutOfRangeException("options.WarmupRatio", o.WarmupRatio, "Expected a ratio in [0, 1).");
        }

        if (!(o.WeightDecay >= 0) || double.IsInfinity(o.WeightDecay))
        {
            throw new ArgumentOutOfRangeException("options.WeightDecay", o.WeightDecay, "Expected a finite number >= 0.");
        }

        if (o.MaxGradientNorm is { } norm)
        {
            CheckPositiveFinite(norm, "options.MaxGradientNorm");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(o.FrozenLayers, "options.FrozenLayers");
        if (o.IntraOpThreads is { } threads)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads, "options.IntraOpThreads");
        }

        if (!Enum.IsDefined(o.Schedule))
        {
            throw new ArgumentOutOfRangeException("options.Schedule", o.Schedule, "Unknown schedule.");
        }
    }

    public static ContrastiveTrainerOptions Copy(ContrastiveTrainerOptions o) => new()
    {
        BatchSize = o.BatchSize,
        QueryChunkSize = o.QueryChunkSize,
        DocumentChunkSize = o.DocumentChunkSize,
        Epochs = o.Epochs,
        LearningRate = o.LearningRate,
        WarmupSteps = o.WarmupSteps,
        WarmupRatio = o.WarmupRatio,
        Schedule = o.Schedule,
        WeightDecay = o.WeightDecay,
        MaxGradientNorm = o.MaxGradientNorm,
        FreezeEmbeddings = o.FreezeEmbeddings,
        FrozenLayers = o.FrozenLayers,
        Seed = o.Seed,
        SortByLength = o.SortByLength,
        PaddingId = o.PaddingId,
        TrimNativeHeap = o.TrimNativeHeap,
        IntraOpThreads = o.IntraOpThreads,
        Validation = o.Validation,
        Communicator = o.Communicator,
    };

    /// <summary>Checks the examples and returns their common number of hard negatives.</summary>
    public static int CheckExamples(IReadOnlyList<ContrastiveExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count < 2)
        {
            throw new ArgumentException($"Expected at least 2 examples (a contrastive batch needs negatives), got {examples.Count}.", nameof(examples));
        }

        var negatives = -1;
        for (var i = 0; i < examples.Count; i++)
        {
            var e = examples[i] ?? throw new ArgumentException($"Example {i} is null.", nameof(examples));
            if (e.Query is not { Length: > 0 } || e.Positive is not { Length: > 0 } || e.Negatives is null || e.Negatives.Any(n => n is not { Length: > 0 }))
            {
                throw new ArgumentException($"Example {i} has a null or empty text; every text needs at least one token.", nameof(examples));
            }

            if (negatives >= 0 && e.Negatives.Count != negatives)
            {
                throw new ArgumentException(
                    $"Example {i} has {e.Negatives.Count} hard negatives but example 0 has {negatives}; every example needs the same number.", nameof(examples));
            }

            negatives = e.Negatives.Count;
        }

        return negatives;
    }

    private static void CheckPositiveFinite(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "Expected a positive finite number.");
        }
    }
}
