namespace MLNet.Contrastive.Training;

/// <summary>The shape of the learning rate after warmup.</summary>
internal enum LearningRateScheduleKind
{
    /// <summary>Constant after warmup.</summary>
    Constant,

    /// <summary>Linear decay from the peak to 0 at the last step.</summary>
    Linear,

    /// <summary>Half-cosine decay from the peak to 0 at the last step.</summary>
    Cosine,
}

/// <summary>
/// Linear warmup, then constant, linear or cosine decay, as a multiplier of the peak learning rate.
/// </summary>
/// <remarks>
/// For step <c>s</c> (0-based, the step about to be taken), <c>W</c> warmup steps and <c>T</c> total steps:
/// warmup <c>f = (s + 1) / (W + 1)</c> for <c>s &lt; W</c> (never 0, reaching the peak at <c>s = W</c>); after it, with progress
/// <c>p = (s - W) / (T - W)</c>: constant <c>f = 1</c>, linear <c>f = 1 - p</c>, cosine <c>f = (1 + cos(pi p)) / 2</c>.
/// </remarks>
internal sealed class LearningRateSchedule
{
    /// <summary>Initializes a new instance of the <see cref="LearningRateSchedule"/> class.</summary>
    /// <param name="kind">The decay after warmup.</param>
    /// <param name="warmupSteps">The number of warmup steps, 0 or more.</param>
    /// <param name="totalSteps">The total number of steps, more than <paramref name="warmupSteps"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or <paramref name="totalSteps"/> is not above <paramref name="warmupSteps"/>.</exception>
    public LearningRateSchedule(LearningRateScheduleKind kind, int warmupSteps, int totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(totalSteps, warmupSteps);
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown schedule.");
        }

        Kind = kind;
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
    }

    /// <summary>Gets the decay after warmup.</summary>
    public LearningRateScheduleKind Kind { get; }

    /// <summary>Gets the number of warmup steps.</summary>
    public int WarmupSteps { get; }

    /// <summary>Gets the total number of steps.</summary>
    public int TotalSteps { get; }

    /// <summary>Returns the multiplier of the peak learning rate at <paramref name="step"/>.</summary>
    /// <param name="step">The 0-based step.</param>
    /// <returns>A factor in [0, 1].</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    public double Factor(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
        {
            return (step + 1.0) / (WarmupSteps + 1.0);
        }

        var progress = Math.Min(1.0, (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps));
        return Kind switch
        {
            LearningRateScheduleKind.Linear => 1.0 - progress,
            LearningRateScheduleKind.Cosine => 0.5 * (1.0 + Math.Cos(Math.PI * progress)),
            _ => 1.0,
        };
    }
}
