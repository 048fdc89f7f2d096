namespace MLNet.Contrastive.Training;

/// <summary>One training example: a query, its positive document, its hard negatives and an optional group.</summary>
/// <param name="Query">The query's token ids.</param>
/// <param name="Positive">The positive document's token ids.</param>
/// <param name="Negatives">The hard negatives' token ids (the same count for every example of a training set; may be empty).</param>
/// <param name="Group">An optional group id: examples of the same group are never each other's negatives.</param>
public sealed record ContrastiveExample(int[] Query, int[] Positive, IReadOnlyList<int[]> Negatives, long? Group = null);
