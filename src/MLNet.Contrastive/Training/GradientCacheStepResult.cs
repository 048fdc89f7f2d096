namespace MLNet.Contrastive.Training;

/// <summary>The outcome of one <see cref="GradientCache.Step"/>.</summary>
public sealed class GradientCacheStepResult
{
    internal GradientCacheStepResult()
    {
    }

    /// <summary>Gets the loss of the batch (detached). Not finite when training diverged; then no parameter gradient was computed.</summary>
    public double Loss { get; internal init; }

    /// <summary>Gets the number of query chunks.</summary>
    public int QueryChunks { get; internal init; }

    /// <summary>Gets the number of document chunks.</summary>
    public int DocumentChunks { get; internal init; }

    /// <summary>Gets the number of real (unpadded) tokens of the batch, both sides.</summary>
    public long Tokens { get; internal init; }

    /// <summary>Gets the number of token positions encoded per pass, padding included, both sides.</summary>
    public long PaddedTokens { get; internal init; }

    /// <summary>Gets the time of step 1, encoding every chunk without autograd.</summary>
    public TimeSpan ForwardNoGradTime { get; internal init; }

    /// <summary>Gets the time of step 2, the loss and its gradient with respect to the embeddings.</summary>
    public TimeSpan BuildCacheTime { get; internal init; }

    /// <summary>Gets the time of step 3, re-encoding each chunk with autograd and back-propagating its cached gradient.</summary>
    public TimeSpan ForwardBackwardTime { get; internal init; }

    /// <summary>The result of a step over <paramref name="queryPlan"/> and <paramref name="documentPlan"/> that took
    /// <paramref name="total"/> in all (the one-process and the data-parallel step report alike).</summary>
    internal static GradientCacheStepResult Of(double loss, ChunkPlan queryPlan, ChunkPlan documentPlan, TimeSpan forwardNoGrad, TimeSpan buildCache, TimeSpan total) => new()
    {
        Loss = loss,
        QueryChunks = queryPlan.Chunks.Length,
        DocumentChunks = documentPlan.Chunks.Length,
        Tokens = queryPlan.Tokens + documentPlan.Tokens,
        PaddedTokens = queryPlan.PaddedTokens + documentPlan.PaddedTokens,
        ForwardNoGradTime = forwardNoGrad,
        BuildCacheTime = buildCache,
        ForwardBackwardTime = total - forwardNoGrad - buildCache,
    };
}
