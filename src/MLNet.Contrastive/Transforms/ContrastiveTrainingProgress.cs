namespace MLNet.Contrastive.Transforms;

/// <summary>One report of the progress of <see cref="ContrastiveEmbeddingEstimator.Fit"/>, sent after each optimizer step.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Step">The optimizer steps done so far, from 1.</param>
/// <param name="TotalSteps">The optimizer steps the whole fit takes.</param>
/// <param name="Loss">The training loss of the step.</param>
/// <param name="ExamplesPerSecond">Training examples (rows) per second since training started (or resumed).</param>
/// <param name="EstimatedRemaining">The estimated time until training ends.</param>
public sealed record ContrastiveTrainingProgress(int Epoch, int Step, int TotalSteps, float Loss, double ExamplesPerSecond, TimeSpan EstimatedRemaining)
{
    /// <summary>Gets the step this Fit resumed from (the steps its checkpoint had done, see
    /// <see cref="ContrastiveEmbeddingOptions.CheckpointDirectory"/>), or 0 when it started from the beginning.</summary>
    public int ResumedFromStep { get; init; }
}
