namespace MLNet.Contrastive.Training;

/// <summary>One training example: a query, its positive document, its hard negatives and an optional group.</summary>
/// <param name="Query">The query's token ids.</param>
/// <param name="Positive">The positive document's token ids.</param>
/// <param name="Negatives">The hard negatives' token ids (the same count for every example of a training set; may be empty).</param>
/// <param name="Group">An optional group id: examples of the same group are never each other's negatives.</param>
internal sealed record ContrastiveExample(int[] Query, int[] Positive, IReadOnlyList<int[]> Negatives, long? Group = null)
{
    /// <summary>Checks a training set and returns its common number of hard negatives.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="examples"/> is null.</exception>
    /// <exception cref="ArgumentException">Fewer than 2 examples, a null or empty text, or a different number of hard negatives between examples.</exception>
    internal static int CheckAll(IReadOnlyList<ContrastiveExample> examples)
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
}
