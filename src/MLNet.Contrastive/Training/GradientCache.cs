using System.Diagnostics;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Text;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Training;

/// <summary>
/// Gradient caching (Gao et al. 2021, "Scaling Deep Contrastive Learning Batch Size under Memory Limited Setup",
/// arXiv 2101.06983): the exact gradient of a contrastive loss over a large batch, with encoder memory bounded by one chunk.
/// </summary>
/// <remarks>
/// <para>One <see cref="Step"/> runs four steps, as in luyug/GradCache:</para>
/// <list type="number">
/// <item><b>forward_no_grad</b>: encode every chunk of each side without autograd (each chunk padded to its own longest
/// text) and gather the embeddings in the original order.</item>
/// <item><b>build_cache</b>: compute the loss on the embeddings as autograd leaves and keep d(loss)/d(embedding)
/// (a learnable temperature receives its gradient here).</item>
/// <item><b>forward_backward</b>: re-encode each chunk with autograd and back-propagate the surrogate
/// <c>sum(embedding * cachedGradient)</c>, whose parameter gradient is the chunk's share of d(loss)/d(parameters);
/// each chunk's graph is freed before the next, and parameter gradients accumulate.</item>
/// <item><b>cache step</b>: the optimizer step is the caller's.</item>
/// </list>
/// <para><b>Dropout replay.</b> Pass 1 and pass 3 must draw the same dropout masks. Before encoding chunk <c>c</c> of
/// side <c>s</c> at step <c>n</c>, both passes call <c>manual_seed(ReplaySeed.Mix(seed, n, s, c))</c> (CPU and CUDA), so the
/// masks match without an RNG snapshot. This overwrites the global torch generator. <see cref="EncodeReference"/> encodes
/// with the same seeds to build a full-graph reference.</para>
/// <para>Memory: one chunk's activations plus the <c>B(1+k) x D</c> embeddings and their gradients (and the loss's logit
/// rows, see <see cref="ContrastiveLoss.RowChunkSize"/>).</para>
/// <para><b>Encoders.</b> Any TorchSharp module that maps a padded batch (<c>input_ids</c> and <c>attention_mask</c>,
/// int64 <c>[n, L]</c>) to embeddings <c>[n, D]</c>, where a text's embedding does not depend on the other texts of its
/// batch (no batch normalisation), as luyug/GradCache takes any model. The library's own encoders also split chunks of
/// long texts so that their attention scores stay within the library's memory budget.</para>
/// </remarks>
public sealed class GradientCache
{
    private readonly nn.Module<Tensor, Tensor, Tensor> queryEncoder;
    private readonly nn.Module<Tensor, Tensor, Tensor> documentEncoder;
    private readonly ContrastiveLoss loss;
    private readonly GradientCacheOptions options;

    /// <summary>Initializes a new instance of the <see cref="GradientCache"/> class.</summary>
    /// <param name="queryEncoder">The query encoder (or the shared encoder).</param>
    /// <param name="documentEncoder">The document encoder (two towers), or <see langword="null"/> to share <paramref name="queryEncoder"/>.</param>
    /// <param name="loss">The contrastive loss.</param>
    /// <param name="options">How to chunk and replay; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="queryEncoder"/> or <paramref name="loss"/> is null.</exception>
    public GradientCache(
        nn.Module<Tensor, Tensor, Tensor> queryEncoder, nn.Module<Tensor, Tensor, Tensor>? documentEncoder, ContrastiveLoss loss, GradientCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(queryEncoder);
        ArgumentNullException.ThrowIfNull(loss);
        this.queryEncoder = queryEncoder;
        this.documentEncoder = documentEncoder ?? queryEncoder;
        this.loss = loss;
        this.options = options ?? new GradientCacheOptions();
    }

    /// <summary>
    /// Computes the loss of one batch and accumulates its exact gradient into the encoders' parameters (and the loss's
    /// learnable temperature). Gradients are added to what is there: zero them before.
    /// </summary>
    /// <param name="queries">The token ids of the <c>B</c> queries (B &gt;= 2, none empty).</param>
    /// <param name="documents">The token ids of the <c>B(1+k)</c> documents, each query's positive then its <c>k</c> negatives.</param>
    /// <param name="negativesPerQuery">The number <c>k</c> of hard negatives per query.</param>
    /// <param name="groups">Optional group id per query (see <see cref="ContrastiveLoss"/>).</param>
    /// <param name="step">The step number, mixed into the dropout replay seeds.</param>
    /// <returns>The loss and the step's statistics. When the loss is not finite, step 3 is skipped.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queries"/> or <paramref name="documents"/> is null.</exception>
    /// <exception cref="ArgumentException">Fewer than 2 queries, an empty or null text, a document count other than
    /// <c>B(1+k)</c>, or group ids of the wrong length.</exception>
    public GradientCacheStepResult Step(IReadOnlyList<int[]> queries, IReadOnlyList<int[]> documents, int negativesPerQuery, long[]? groups = null, long step = 0) =>
        StepMasked(queries, documents, negativesPerQuery, groups, step, guided: null);

    /// <summary>As <see cref="Step(IReadOnlyList{int[]}, IReadOnlyList{int[]}, int, long[], long)"/>, with candidates a
    /// guide model masked out of the loss (the mask does not depend on the weights, so the gradient stays exact).</summary>
    internal GradientCacheStepResult StepMasked(IReadOnlyList<int[]> queries, IReadOnlyList<int[]> documents, int negativesPerQuery, long[]? groups, long step, NegativeMask? guided)
    {
        Validate(queries, documents, negativesPerQuery);
        using var scope = NewDisposeScope();
        var queryPlan = Plan(EncoderSide.Query, queries);
        var documentPlan = Plan(EncoderSide.Document, documents);
        var clock = Stopwatch.StartNew();

        var queryEmbeddings = ForwardNoGrad(queryEncoder, EncoderSide.Query, queries, queryPlan, step);
        var documentEmbeddings = ForwardNoGrad(documentEncoder, EncoderSide.Document, documents, documentPlan, step);
        var forwardNoGrad = clock.Elapsed;

        var (value, queryCache, documentCache) = BuildCache(queryEmbeddings, documentEmbeddings, negativesPerQuery, groups, guided);
        var buildCache = clock.Elapsed - forwardNoGrad;

        if (double.IsFinite(value))
        {
            ForwardBackward(EncoderSide.Query, queries, queryPlan, queryCache, step);
            ForwardBackward(EncoderSide.Document, documents, documentPlan, documentCache, step);
        }

        return GradientCacheStepResult.Of(value, queryPlan, documentPlan, forwardNoGrad, buildCache, clock.Elapsed);
    }

    /// <summary>
    /// Encodes one side with autograd, chunk by chunk with the same chunks and replay seeds as <see cref="Step"/>, into
    /// one graph: the full-batch reference for tests and diagnostics (it needs the memory the cache avoids).
    /// </summary>
    /// <param name="side">The side, which picks the encoder, chunk size and seeds.</param>
    /// <param name="texts">The token ids of the side's texts.</param>
    /// <param name="step">The step number.</param>
    /// <returns>The embeddings <c>[n, D]</c> in the original order, with autograd, in the caller's dispose scope.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="texts"/> is empty or holds an empty text.</exception>
    internal Tensor EncodeReference(EncoderSide side, IReadOnlyList<int[]> texts, long step)
    {
        CheckTexts(texts, nameof(texts), 1);
        using var scope = NewDisposeScope();
        return Encode(EncoderOf(side), side, texts, Plan(side, texts), step).MoveToOuterDisposeScope();
    }

    // Building blocks shared with the data-parallel step (Distributed/DistributedGradientCache.cs), which runs the same
    // chunk plan but encodes only the chunks its rank owns.

    /// <summary>The chunk plan of one side: the same on every rank, since it depends only on the texts and the options.</summary>
    internal ChunkPlan Plan(EncoderSide side, IReadOnlyList<int[]> texts) =>
        ChunkPlan.Create(texts, options.ChunkSizeOf(side), options.SortByLength, AttentionBudget.ScoresPerSquaredLength(EncoderOf(side), withAutograd: true));

    /// <summary>Encodes chunk <paramref name="chunk"/> of a side without autograd (pass 1), rows in the chunk's order.</summary>
    internal Tensor EncodeChunkNoGrad(EncoderSide side, IReadOnlyList<int[]> texts, ChunkPlan plan, int chunk, long step)
    {
        using var noGrad = no_grad();
        var encoder = EncoderOf(side);
        var embeddings = EncodeChunk(encoder, side, plan.Texts(texts, chunk), chunk, step, DeviceOf(encoder));
        TrimAfterChunk();
        return embeddings;
    }

    /// <summary>Pass 3 for one chunk: re-encodes it with autograd and back-propagates its rows of <paramref name="cache"/>.</summary>
    internal void BackwardChunk(EncoderSide side, IReadOnlyList<int[]> texts, ChunkPlan plan, int chunk, Tensor cache, long step)
    {
        using (NewDisposeScope())
        {
            var embeddings = EncodeChunk(EncoderOf(side), side, plan.Texts(texts, chunk), chunk, step, cache.device);
            var cached = cache.index_select(0, tensor(Array.ConvertAll(plan.Chunks[chunk], i => (long)i), device: cache.device));
            (embeddings * cached).sum().backward();
        }

        TrimAfterChunk();
    }

    /// <summary>The parameters of the encoders (each once, also when the encoder is shared).</summary>
    internal IEnumerable<TorchSharp.Modules.Parameter> EncoderParameters() =>
        ReferenceEquals(queryEncoder, documentEncoder) ? queryEncoder.parameters() : queryEncoder.parameters().Concat(documentEncoder.parameters());

    /// <summary>The embedding size of a side's encoder (one of the library's: the data-parallel step needs it before encoding).</summary>
    internal int DimensionOf(EncoderSide side) => EncoderOf(side) is TextEncoder encoder
        ? encoder.Dimension
        : throw new NotSupportedException($"The data-parallel step needs the library's encoders; the {side} encoder is a {EncoderOf(side).GetType().Name}.");

    /// <summary>The device of a side's encoder.</summary>
    internal Device DeviceOf(EncoderSide side) => DeviceOf(EncoderOf(side));

    private nn.Module<Tensor, Tensor, Tensor> EncoderOf(EncoderSide side) => side == EncoderSide.Query ? queryEncoder : documentEncoder;

    // Step 1: every chunk without autograd, embeddings back in the original order.
    private Tensor ForwardNoGrad(nn.Module<Tensor, Tensor, Tensor> encoder, EncoderSide side, IReadOnlyList<int[]> texts, ChunkPlan plan, long step)
    {
        using var noGrad = no_grad();
        return Encode(encoder, side, texts, plan, step);
    }

    // Step 2: the loss on detached embeddings; its gradient with respect to them is the cache.
    internal (double Loss, Tensor QueryCache, Tensor DocumentCache) BuildCache(Tensor queryEmbeddings, Tensor documentEmbeddings, int negativesPerQuery, long[]? groups, NegativeMask? guided)
    {
        var queries = queryEmbeddings.detach().requires_grad_(true);
        var documents = documentEmbeddings.detach().requires_grad_(true);
        var value = loss.ForwardBackwardMasked(queries, documents, negativesPerQuery, groups, guided);
        var queryCache = queries.grad ?? zeros_like(queries);
        var documentCache = documents.grad ?? zeros_like(documents);
        return (value, queryCache, documentCache);
    }

    // Step 3: each chunk again with autograd (same seeds), back-propagating its slice of the cache; graph freed per chunk.
    private void ForwardBackward(EncoderSide side, IReadOnlyList<int[]> texts, ChunkPlan plan, Tensor cache, long step)
    {
        for (var c = 0; c < plan.Chunks.Length; c++)
        {
            BackwardChunk(side, texts, plan, c, cache, step);
        }
    }

    private Tensor Encode(nn.Module<Tensor, Tensor, Tensor> encoder, EncoderSide side, IReadOnlyList<int[]> texts, ChunkPlan plan, long step)
    {
        var device = DeviceOf(encoder);
        var parts = new Tensor[plan.Chunks.Length];
        var inverse = new long[texts.Count];
        var position = 0;
        for (var c = 0; c < plan.Chunks.Length; c++)
        {
            parts[c] = EncodeChunk(encoder, side, plan.Texts(texts, c), c, step, device);
            TrimAfterChunk();
            foreach (var original in plan.Chunks[c])
            {
                inverse[original] = position++;
            }
        }

        return cat(parts, 0).index_select(0, tensor(inverse, device: device));
    }

    private Tensor EncodeChunk(nn.Module<Tensor, Tensor, Tensor> encoder, EncoderSide side, int[][] texts, int chunkIndex, long step, Device device)
    {
        if (options.ReplaySeed is { } seed)
        {
            ReplaySeed.Apply(ReplaySeed.Mix(seed, step, side, chunkIndex));
        }

        using var batch = TokenBatch.Collate(texts, options.PaddingId, device);
        return encoder.call(batch.InputIds, batch.AttentionMask);
    }

    // Freed activations go back to the system instead of fragmenting the heap (see GradientCacheOptions.TrimNativeHeap).
    private void TrimAfterChunk()
    {
        if (options.TrimNativeHeap)
        {
            options.TrimHeap();
        }
    }

    private static Device DeviceOf(nn.Module encoder) => encoder.parameters().FirstOrDefault()?.device ?? CPU;

    internal static void Validate(IReadOnlyList<int[]> queries, IReadOnlyList<int[]> documents, int negativesPerQuery)
    {
        CheckTexts(queries, nameof(queries), 2);
        CheckTexts(documents, nameof(documents), 1);
        ArgumentOutOfRangeException.ThrowIfNegative(negativesPerQuery);
        if (documents.Count != (long)queries.Count * (1 + negativesPerQuery))
        {
            throw new ArgumentException(
                $"Expected B(1+k) = {queries.Count} x {1 + negativesPerQuery} documents (each query's positive then its {negativesPerQuery} negatives), got {documents.Count}.",
                nameof(documents));
        }
    }

    private static void CheckTexts(IReadOnlyList<int[]> texts, string name, int minimum)
    {
        ArgumentNullException.ThrowIfNull(texts, name);
        if (texts.Count < minimum)
        {
            throw new ArgumentException($"Expected at least {minimum} texts, got {texts.Count}.", name);
        }

        for (var i = 0; i < texts.Count; i++)
        {
            if (texts[i] is not { Length: > 0 })
            {
                throw new ArgumentException($"Text {i} is null or empty; every text needs at least one token.", name);
            }
        }
    }
}
