namespace MLNet.Contrastive.Text;

/// <summary>The token ids of a batch of texts and how many of them were truncated.</summary>
internal sealed class TokenizedTexts
{
    /// <summary>Initializes a new instance of the <see cref="TokenizedTexts"/> class.</summary>
    /// <param name="sequences">The token ids of each text, special tokens included.</param>
    /// <param name="truncatedCount">How many texts were longer than the maximum and were cut.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sequences"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="truncatedCount"/> is negative or larger than the number of sequences.</exception>
    public TokenizedTexts(IReadOnlyList<int[]> sequences, int truncatedCount)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentOutOfRangeException.ThrowIfNegative(truncatedCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(truncatedCount, sequences.Count);
        Sequences = sequences;
        TruncatedCount = truncatedCount;
    }

    /// <summary>Gets the token ids of each text, in input order, special tokens included.</summary>
    public IReadOnlyList<int[]> Sequences { get; }

    /// <summary>Gets how many texts were longer than the maximum token count and were truncated.</summary>
    public int TruncatedCount { get; }
}
