using MLNet.Contrastive.Runtime;

namespace MLNet.Contrastive.Training;

/// <summary>How a <see cref="GradientCache"/> cuts and replays a batch. Immutable; change with <c>with</c>.</summary>
/// <remarks>Every value is checked when it is set, so an invalid record cannot be built. The ML.NET estimator builds one
/// from <c>ContrastiveEmbeddingOptions.ChunkSize</c> and <c>TrimNativeHeap</c>, whose defaults are these.</remarks>
public sealed record GradientCacheOptions
{
    private readonly int chunkSize = 64;
    private readonly int? documentChunkSize;

    /// <summary>Gets the number of texts encoded at once on each side (queries, and documents unless
    /// <see cref="DocumentChunkSize"/> is set); it bounds the encoder's memory, not the result. Default is 64.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int ChunkSize
    {
        get => chunkSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(ChunkSize));
            chunkSize = value;
        }
    }

    /// <summary>Gets the number of documents encoded at once when it differs from <see cref="ChunkSize"/> (two towers
    /// of different cost), or <see langword="null"/> for <see cref="ChunkSize"/>. Default is <see langword="null"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int? DocumentChunkSize
    {
        get => documentChunkSize;
        init
        {
            if (value is { } size)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size, nameof(DocumentChunkSize));
            }

            documentChunkSize = value;
        }
    }

    /// <summary>Gets a value indicating whether each side's texts are sorted by length before chunking (less padding;
    /// the embeddings are put back in the original order, so the loss and gradients do not change). Default is
    /// <see langword="true"/>.</summary>
    public bool SortByLength { get; init; } = true;

    /// <summary>Gets the token id written into padding positions. Default is 0.</summary>
    public long PaddingId { get; init; }

    /// <summary>Gets the seed of the per-chunk dropout replay, or <see langword="null"/> to disable the reseeding (then
    /// dropout draws different masks in the two passes and the gradients are wrong; only for comparison). Default is 0.</summary>
    public long? ReplaySeed { get; init; } = 0;

    /// <summary>Gets a value indicating whether freed native memory is returned to the system after each chunk (glibc
    /// <c>malloc_trim</c>; a no-op elsewhere), which keeps the resident memory of a step near one chunk's instead of
    /// growing with the number of chunks through heap fragmentation (docs/gradient-cache.md). Default is <see langword="true"/>.</summary>
    public bool TrimNativeHeap { get; init; } = true;

    /// <summary>Gets what is called after each chunk when <see cref="TrimNativeHeap"/> is on (the tests count the calls).</summary>
    internal Action TrimHeap { get; init; } = NativeHeap.Trim;

    /// <summary>Returns the chunk size of <paramref name="side"/>.</summary>
    internal int ChunkSizeOf(EncoderSide side) => side == EncoderSide.Query ? ChunkSize : DocumentChunkSize ?? ChunkSize;
}
