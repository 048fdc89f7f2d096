namespace MLNet.Contrastive.Training;

/// <summary>Options of a <see cref="GradientCache"/>.</summary>
public sealed class GradientCacheOptions
{
    /// <summary>Gets or sets how many queries are encoded at once. Default is 32.</summary>
    public int QueryChunkSize { get; set; } = 32;

    /// <summary>Gets or sets how many documents are encoded at once. Default is 32.</summary>
    public int DocumentChunkSize { get; set; } = 32;

    /// <summary>Gets or sets a value indicating whether each side's texts are sorted by length before chunking (less
    /// padding; the embeddings are put back in the original order, so the loss and gradients do not change). Default is <see langword="true"/>.</summary>
    public bool SortByLength { get; set; } = true;

    /// <summary>Gets or sets the token id written into padding positions. Default is 0.</summary>
    public long PaddingId { get; set; }

    /// <summary>Gets or sets the seed of the per-chunk dropout replay, or <see langword="null"/> to disable the reseeding
    /// (then dropout draws different masks in the two passes and the gradients are wrong; only for comparison). Default is 0.</summary>
    public long? ReplaySeed { get; set; } = 0;

    /// <summary>Gets or sets a value indicating whether freed native memory is returned to the system after each chunk
    /// (glibc <c>malloc_trim</c>; a no-op elsewhere). It keeps the resident memory of a step near one chunk's instead of
    /// growing with the number of chunks through heap fragmentation; see docs/benchmarks.md. Default is <see langword="true"/>.</summary>
    public bool TrimNativeHeap { get; set; } = true;
}
