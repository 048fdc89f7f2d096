namespace MLNet.Contrastive.Training.Distributed;

/// <summary>
/// Which rank encodes which chunk of a side: chunk <c>c</c> of the (global, identical on every rank) chunk plan belongs
/// to rank <c>c mod R</c>. Round-robin balances work when chunks are sorted by length; a rank may own no chunk when a
/// side has fewer chunks than ranks (it then only takes part in the collectives).
/// </summary>
internal static class ChunkOwnership
{
    /// <summary>Returns the chunks of <paramref name="rank"/>, in increasing order.</summary>
    public static int[] Owned(int chunkCount, int rank, int size) =>
        Enumerable.Range(0, chunkCount).Where(c => c % size == rank).ToArray();

    /// <summary>Returns the global row order of an all-gather: the rows of rank 0's chunks, then rank 1's, and so on,
    /// each chunk's rows in the plan's order; and the number of rows each rank contributes.</summary>
    public static (int[] Rows, int[] RowsPerRank) GatherOrder(ChunkPlan plan, int size)
    {
        var rows = new List<int>();
        var perRank = new int[size];
        for (var r = 0; r < size; r++)
        {
            foreach (var c in Owned(plan.Chunks.Length, r, size))
            {
                rows.AddRange(plan.Chunks[c]);
                perRank[r] += plan.Chunks[c].Length;
            }
        }

        return (rows.ToArray(), perRank);
    }
}
