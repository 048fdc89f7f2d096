namespace MLNet.Contrastive.MLNet;

/// <summary>One report of the progress of <see cref="ContrastiveEmbeddingEstimator.Fit"/>, sent after each step.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Step">The optimizer steps done so far, from 1.</param>
/// <param name="TotalSteps">The optimizer steps the whole fit takes.</param>
/// <param name="Loss">The training loss of the step, or <see cref="float.NaN"/> when it is not known.</param>
public sealed record ContrastiveTrainingProgress(int Epoch, int Step, int TotalSteps, float Loss);
