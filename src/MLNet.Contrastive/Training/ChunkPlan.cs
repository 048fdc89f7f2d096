using MLNet.Contrastive.Encoders;

namespace MLNet.Contrastive.Training;

/// <summary>How one side's texts are split into chunks: the original indices of each chunk's texts.</summary>
internal sealed class ChunkPlan
{
    private ChunkPlan(int[][] chunks, long tokens, long paddedTokens)
    {
        Chunks = chunks;
        Tokens = tokens;
        PaddedTokens = paddedTokens;
    }

    /// <summary>Gets the original indices of the texts of each chunk.</summary>
    public int[][] Chunks { get; }

    /// <summary>Gets the number of real tokens.</summary>
    public long Tokens { get; }

    /// <summary>Gets the number of positions after padding each chunk to its longest text.</summary>
    public long PaddedTokens { get; }

    /// <summary>Splits <paramref name="texts"/> into chunks of at most <paramref name="chunkSize"/>, optionally sorted by
    /// length first (a stable sort, so equal lengths keep their order), and cuts a chunk of long texts further so that its
    /// forward with autograd keeps at most <see cref="AttentionBudget.MaxScores"/> attention scores
    /// (<paramref name="scoresPerSquaredLength"/> from <see cref="AttentionBudget.ScoresPerSquaredLength"/>; 0 for none).
    /// The chunks depend only on the texts' lengths, the chunk size and the budget, so a replay finds the same ones.</summary>
    public static ChunkPlan Create(IReadOnlyList<int[]> texts, int chunkSize, bool sortByLength, long scoresPerSquaredLength = 0)
    {
        var order = Enumerable.Range(0, texts.Count);
        if (sortByLength)
        {
            order = order.OrderBy(i => texts[i].Length);
        }

        var chunks = AttentionBudget.Batches(order, i => texts[i].Length, chunkSize, scoresPerSquaredLength).ToArray();
        long tokens = 0, padded = 0;
        foreach (var chunk in chunks)
        {
            var longest = chunk.Max(i => texts[i].Length);
            tokens += chunk.Sum(i => (long)texts[i].Length);
            padded += (long)longest * chunk.Length;
        }

        return new ChunkPlan(chunks, tokens, padded);
    }

    /// <summary>Returns the texts of chunk <paramref name="chunk"/>.</summary>
    public int[][] Texts(IReadOnlyList<int[]> texts, int chunk) => Array.ConvertAll(Chunks[chunk], i => texts[i]);
}
