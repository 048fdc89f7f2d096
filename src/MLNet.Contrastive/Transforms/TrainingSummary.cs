namespace MLNet.Contrastive.Transforms;

/// <summary>What <see cref="ContrastiveEmbeddingEstimator.Fit"/> did: available on the transformer it returned (not saved with the model).</summary>
/// <param name="Examples">The number of training rows.</param>
/// <param name="TruncatedTexts">The number of training texts longer than the maximum token count, which were truncated.</param>
/// <param name="Steps">The number of optimizer steps.</param>
/// <param name="Losses">The training loss of each step.</param>
/// <param name="ValidationRecallAt1">
/// After each epoch, with validation data: the fraction of validation anchors whose nearest validation positive (cosine
/// similarity, over all validation positives) is their own. Empty without validation data.
/// </param>
/// <param name="Elapsed">The training time.</param>
public sealed record TrainingSummary(int Examples, int TruncatedTexts, int Steps, IReadOnlyList<double> Losses, IReadOnlyList<double> ValidationRecallAt1, TimeSpan Elapsed);
