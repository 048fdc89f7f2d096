namespace MLNet.Contrastive.Training;

/// <summary>Progress after one optimisation step.</summary>
/// <param name="Step">The number of steps taken so far (1-based).</param>
/// <param name="TotalSteps">The planned number of steps.</param>
/// <param name="Epoch">The current epoch (0-based).</param>
/// <param name="Loss">The loss of the step's batch.</param>
/// <param name="LearningRate">The learning rate of the step.</param>
/// <param name="ExamplesPerSecond">Examples trained per second since the start.</param>
/// <param name="Elapsed">Training time since the start, before a resume included.</param>
/// <param name="EstimatedRemaining">Estimated time to the end, from the mean step time so far.</param>
internal sealed record TrainingProgress(int Step, int TotalSteps, int Epoch, double Loss, double LearningRate, double ExamplesPerSecond, TimeSpan Elapsed, TimeSpan EstimatedRemaining)
{
    /// <summary>Gets the step the run resumed from (its checkpoint's steps done), or 0 when it started from the beginning.</summary>
    public int ResumedFromStep { get; init; }
}
