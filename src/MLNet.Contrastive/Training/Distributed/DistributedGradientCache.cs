using System.Diagnostics;
using MLNet.Contrastive.Losses;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Training.Distributed;

/// <summary>
/// One data-parallel <see cref="GradientCache"/> step over the ranks of an <see cref="ICommunicator"/>: every rank holds
/// the same global batch and a full copy of the model, and the step equals the one-process step on that batch.
/// </summary>
/// <remarks>
/// <para>With <c>R</c> ranks and the gradient cache's chunk plan (identical on every rank: it depends only on the texts
/// and the options), rank <c>r</c> owns the chunks <c>c</c> with <c>c mod R = r</c>:</para>
/// <list type="number">
/// <item>it encodes its chunks without autograd (pass 1), with the dropout replay seed of the chunk's global index;</item>
/// <item>the embeddings are all-gathered (MPI_Allgatherv: ranks own different row counts), so every rank holds the
/// <c>B x D</c> and <c>B(1+k) x D</c> matrices; every rank computes the loss of the whole global batch and its
/// gradient with respect to every embedding (identical on all ranks, bit for bit);</item>
/// <item>it re-encodes its own chunks with autograd and back-propagates their rows of that gradient (pass 3);</item>
/// <item>the encoders' parameter gradients are all-reduced (summed): the sum over ranks of the chunks' shares is the
/// one-process gradient, up to float32 rounding of the sum's order. A learnable temperature's gradient is already
/// complete on every rank (each computed the whole loss) and is not reduced.</item>
/// </list>
/// <para>Replicating the loss costs each rank <c>O(B · B(1+k) · D)</c> multiply-adds (small next to the encoder) and no
/// communication; computing only its own rows would cut that by <c>R</c> but add an all-reduce of the embedding
/// gradients, as large as the all-gather. See docs/distributed.md.</para>
/// </remarks>
internal sealed class DistributedGradientCache
{
    private readonly GradientCache cache;
    private readonly ICommunicator communicator;
    private readonly TorchSharp.Modules.Parameter[] parameters;

    /// <summary>Initializes a new instance of the <see cref="DistributedGradientCache"/> class.</summary>
    /// <param name="cache">The gradient cache (its encoders, loss, chunking and replay seed).</param>
    /// <param name="communicator">The ranks.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public DistributedGradientCache(GradientCache cache, ICommunicator communicator)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(communicator);
        this.cache = cache;
        this.communicator = communicator;
        parameters = cache.EncoderParameters().ToArray();
    }

    /// <summary>Gets the time the last step spent in all-gathers of embeddings.</summary>
    public TimeSpan LastAllGatherTime { get; private set; }

    /// <summary>Gets the time the last step spent in the all-reduce of parameter gradients.</summary>
    public TimeSpan LastAllReduceTime { get; private set; }

    /// <summary>
    /// Computes the loss of the global batch and accumulates its exact gradient into the encoders' parameters (summed
    /// over the ranks) and the loss's learnable temperature. Every rank passes the same global batch. Gradients are
    /// added to what is there: zero them before.
    /// </summary>
    /// <param name="queries">The token ids of the <c>B</c> queries of the global batch.</param>
    /// <param name="documents">The <c>B(1+k)</c> documents, each query's positive then its <c>k</c> negatives.</param>
    /// <param name="negativesPerQuery">The number <c>k</c> of hard negatives per query.</param>
    /// <param name="groups">Optional group id per query.</param>
    /// <param name="step">The step number, mixed into the dropout replay seeds.</param>
    /// <returns>The loss of the global batch (the same on every rank) and the step's statistics (whole batch).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queries"/> or <paramref name="documents"/> is null.</exception>
    /// <exception cref="ArgumentException">As <see cref="GradientCache.Step"/>.</exception>
    public GradientCacheStepResult Step(IReadOnlyList<int[]> queries, IReadOnlyList<int[]> documents, int negativesPerQuery, long[]? groups = null, long step = 0) =>
        StepMasked(queries, documents, negativesPerQuery, groups, step, guided: null);

    /// <summary>As <see cref="Step(IReadOnlyList{int[]}, IReadOnlyList{int[]}, int, long[], long)"/>, with a guide's mask (the same on every rank).</summary>
    internal GradientCacheStepResult StepMasked(IReadOnlyList<int[]> queries, IReadOnlyList<int[]> documents, int negativesPerQuery, long[]? groups, long step, NegativeMask? guided)
    {
        GradientCache.Validate(queries, documents, negativesPerQuery);
        using var scope = NewDisposeScope();
        var queryPlan = cache.Plan(EncoderSide.Query, queries);
        var documentPlan = cache.Plan(EncoderSide.Document, documents);
        var clock = Stopwatch.StartNew();
        LastAllGatherTime = TimeSpan.Zero;

        var queryEmbeddings = ForwardNoGradAndGather(EncoderSide.Query, queries, queryPlan, step);
        var documentEmbeddings = ForwardNoGradAndGather(EncoderSide.Document, documents, documentPlan, step);
        var forwardNoGrad = clock.Elapsed;

        var (value, queryCache, documentCache) = cache.BuildCache(queryEmbeddings, documentEmbeddings, negativesPerQuery, groups, guided);
        var buildCache = clock.Elapsed - forwardNoGrad;

        // The loss is the same on every rank, so all skip pass 3 and the all-reduce together when it is not finite.
        if (double.IsFinite(value))
        {
            foreach (var c in ChunkOwnership.Owned(queryPlan.Chunks.Length, communicator.Rank, communicator.Size))
            {
                cache.BackwardChunk(EncoderSide.Query, queries, queryPlan, c, queryCache, step);
            }

            foreach (var c in ChunkOwnership.Owned(documentPlan.Chunks.Length, communicator.Rank, communicator.Size))
            {
                cache.BackwardChunk(EncoderSide.Document, documents, documentPlan, c, documentCache, step);
            }

            var reduceClock = Stopwatch.StartNew();
            // Frozen parameters (requires_grad false) get no gradient on any rank: nothing to reduce.
            GradientReduction.AllReduceSum(communicator, parameters.Where(p => p.requires_grad).ToArray());
            LastAllReduceTime = reduceClock.Elapsed;
        }

        return GradientCacheStepResult.Of(value, queryPlan, documentPlan, forwardNoGrad, buildCache, clock.Elapsed);
    }

    // Pass 1 on this rank's chunks, then the all-gather: every rank ends with the whole side in the original order.
    private Tensor ForwardNoGradAndGather(EncoderSide side, IReadOnlyList<int[]> texts, ChunkPlan plan, long step)
    {
        var dimension = cache.DimensionOf(side);
        var owned = ChunkOwnership.Owned(plan.Chunks.Length, communicator.Rank, communicator.Size);
        var local = owned.Length == 0
            ? Array.Empty<float>()
            : cat(owned.Select(c => cache.EncodeChunkNoGrad(side, texts, plan, c, step)).ToArray(), 0).to(float32).cpu().data<float>().ToArray();
        var (rows, rowsPerRank) = ChunkOwnership.GatherOrder(plan, communicator.Size);
        if (local.Length != (long)rowsPerRank[communicator.Rank] * dimension)
        {
            throw new InvalidOperationException(
                $"The {side} encoder returned {local.Length} values for {rowsPerRank[communicator.Rank]} texts; expected {dimension} per text (its Dimension).");
        }

        var clock = Stopwatch.StartNew();
        var gathered = communicator.AllGather(local, Array.ConvertAll(rowsPerRank, n => checked(n * dimension)));
        LastAllGatherTime += clock.Elapsed;

        // Row p of the gathered matrix is text rows[p]; put every text back at its own index.
        var inverse = new long[texts.Count];
        for (var p = 0; p < rows.Length; p++)
        {
            inverse[rows[p]] = p;
        }

        var device = cache.DeviceOf(side);
        return tensor(gathered, [texts.Count, dimension]).to(device).index_select(0, tensor(inverse, device: device));
    }
}
