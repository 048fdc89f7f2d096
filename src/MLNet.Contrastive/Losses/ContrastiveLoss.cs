using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Losses;

/// <summary>
/// A contrastive loss over a batch of query embeddings and their documents: a pure function of the embeddings and the
/// temperature.
/// </summary>
/// <remarks>
/// <para><b>Inputs.</b> Queries <c>q</c>, shape <c>[B, D]</c>; documents <c>d</c>, shape <c>[B(1+k), D]</c>, laid out per
/// query as its positive followed by its <c>k</c> hard negatives: query <c>i</c>'s positive is row <c>i(1+k)</c> and its
/// negatives rows <c>i(1+k)+1 .. i(1+k)+k</c>. Every document of the batch is a candidate for every query (in-batch
/// negatives). Optional group ids <c>g</c> (one per query): the documents of another query of the same group are
/// masked out (logit <c>-inf</c>) for a query, so rows sharing a group id are never each other's negatives; a
/// query's own positive and hard negatives are never masked.</para>
/// <para><b>Similarity.</b> <c>s(x, y) = x . y</c>; with <see cref="Normalize"/> (the default) both sides are L2-normalised
/// first, so <c>s</c> is the cosine similarity. Logits are <c>s / t</c> with <c>t</c> the <see cref="Temperature"/>.</para>
/// <para><b>Memory.</b> With <see cref="RowChunkSize"/> the <c>B x B(1+k)</c> logits are computed in blocks of rows; with
/// <see cref="ForwardBackward"/> each block's graph is freed after its backward, so peak memory is
/// <c>O(RowChunkSize x B(1+k))</c> instead of <c>O(B^2(1+k))</c>, and the value and gradients equal the unchunked ones.</para>
/// </remarks>
public abstract class ContrastiveLoss
{
    private readonly int? rowChunkSize;

    /// <summary>Initializes a new instance of the <see cref="ContrastiveLoss"/> class.</summary>
    /// <param name="temperature">The temperature, fixed or learnable.</param>
    /// <exception cref="ArgumentNullException"><paramref name="temperature"/> is null.</exception>
    private protected ContrastiveLoss(Temperature temperature)
    {
        ArgumentNullException.ThrowIfNull(temperature);
        Temperature = temperature;
    }

    /// <summary>Gets the temperature. A learnable one must be optimised along with the encoder (see <see cref="Parameters"/>).</summary>
    public Temperature Temperature { get; }

    /// <summary>Gets a value indicating whether embeddings are L2-normalised inside the loss (cosine similarity). Default is <see langword="true"/>.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Gets the number of logit rows computed at once; <see langword="null"/> computes all rows at once. Default is <see langword="null"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int? RowChunkSize
    {
        get => rowChunkSize;
        init
        {
            if (value is { } v)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(v, nameof(RowChunkSize));
            }

            rowChunkSize = value;
        }
    }

    /// <summary>Gets a value indicating whether the loss is the mean of the query-to-documents direction and the
    /// positive-document-to-queries direction (the <c>B</c> positives against the <c>B</c> queries). Default is <see langword="false"/>.</summary>
    public bool Symmetric { get; init; }

    /// <summary>Gets what the loss computes, in words that change whenever its result would (for a run's fingerprint).</summary>
    internal virtual string Description => $"{GetType().Name}, symmetric {Symmetric}, normalize {Normalize}, rows {RowChunkSize}";

    /// <summary>Gets a value indicating whether a row's positive is left out of its softmax denominator (DCL).</summary>
    private protected abstract bool ExcludesPositiveFromDenominator { get; }

    /// <summary>Returns the trainable parameters of the loss (the learnable temperature, if any).</summary>
    /// <returns>The parameters; empty for a fixed temperature.</returns>
    public IEnumerable<Parameter> Parameters() => Temperature.parameters();

    /// <summary>Computes the loss with autograd (one graph over all row blocks).</summary>
    /// <param name="queries">Query embeddings, <c>[B, D]</c>.</param>
    /// <param name="documents">Document embeddings, <c>[B(1+k), D]</c>, each query's positive followed by its negatives.</param>
    /// <param name="negativesPerQuery">The number <c>k</c> of hard negatives per query (0 for in-batch negatives only).</param>
    /// <param name="groups">Optional group id per query (length <c>B</c>); <see langword="null"/> when every row is distinct.</param>
    /// <returns>The scalar loss (mean over rows), in the caller's dispose scope.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queries"/> or <paramref name="documents"/> is null.</exception>
    /// <exception cref="ArgumentException">Shapes disagree, <paramref name="groups"/> has the wrong length, or a row has no negative left.</exception>
    public Tensor Forward(Tensor queries, Tensor documents, int negativesPerQuery, long[]? groups = null)
    {
        Validate(queries, documents, negativesPerQuery, groups);
        using var scope = NewDisposeScope();
        var inputs = Prepare(queries, documents, Temperature.InverseTemperature(queries.device), negativesPerQuery, groups);
        Tensor? total = null;
        foreach (var block in Blocks(inputs.BatchSize))
        {
            var part = BlockLoss(inputs, block);
            total = total is null ? part : total + part;
        }

        return total!.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Computes the loss and back-propagates it block by block, freeing each block's graph before the next: gradients
    /// accumulate into <c>queries.grad</c>, <c>documents.grad</c> (when they require gradients) and the learnable temperature.
    /// </summary>
    /// <param name="queries">Query embeddings, <c>[B, D]</c>; usually detached leaves with <c>requires_grad</c>.</param>
    /// <param name="documents">Document embeddings, <c>[B(1+k), D]</c>.</param>
    /// <param name="negativesPerQuery">The number <c>k</c> of hard negatives per query.</param>
    /// <param name="groups">Optional group id per query (length <c>B</c>).</param>
    /// <returns>The loss value (the same as <see cref="Forward"/> up to float32 rounding of the block sums).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queries"/> or <paramref name="documents"/> is null.</exception>
    /// <exception cref="ArgumentException">Shapes disagree, <paramref name="groups"/> has the wrong length, or a row has no negative left.</exception>
    public double ForwardBackward(Tensor queries, Tensor documents, int negativesPerQuery, long[]? groups = null)
    {
        Validate(queries, documents, negativesPerQuery, groups);
        using var scope = NewDisposeScope();
        var normalizedQueries = Normalize ? nn.functional.normalize(queries, 2.0, 1) : queries;
        var normalizedDocuments = Normalize ? nn.functional.normalize(documents, 2.0, 1) : documents;
        var scale = Temperature.InverseTemperature(queries.device);

        // Each block's graph starts at these leaves, so freeing it leaves the others intact.
        var queryLeaf = normalizedQueries.detach().requires_grad_(queries.requires_grad);
        var documentLeaf = normalizedDocuments.detach().requires_grad_(documents.requires_grad);
        var scaleLeaf = scale.detach().requires_grad_(scale.requires_grad);
        var inputs = new LossInputs(queryLeaf, documentLeaf, scaleLeaf, negativesPerQuery, groups,
            Weights(queryLeaf, documentLeaf, negativesPerQuery));

        double total = 0;
        foreach (var block in Blocks(inputs.BatchSize))
        {
            using var blockScope = NewDisposeScope();
            var part = BlockLoss(inputs, block);
            if (part.requires_grad)
            {
                part.backward();
            }

            total += part.item<float>();
        }

        // Chain the leaves' gradients back through the normalisation and the temperature's parametrisation.
        var outputs = new List<Tensor>();
        var gradients = new List<Tensor>();
        foreach (var (output, leaf) in new[] { (normalizedQueries, queryLeaf), (normalizedDocuments, documentLeaf), (scale, scaleLeaf) })
        {
            if (leaf.requires_grad && leaf.grad is { } grad)
            {
                outputs.Add(output);
                gradients.Add(grad);
            }
        }

        if (outputs.Count > 0)
        {
            autograd.backward(outputs, gradients);
        }

        return total;
    }

    /// <summary>Returns the detached weight of each row's positive term, or <see langword="null"/> for weight 1.</summary>
    /// <param name="positiveSimilarities">The similarity <c>s_ii</c> of each query and its positive, <c>[B]</c>, detached.</param>
    /// <returns>The weights <c>[B]</c>, or <see langword="null"/>.</returns>
    private protected virtual Tensor? PositiveWeights(Tensor positiveSimilarities) => null;

    private LossInputs Prepare(Tensor queries, Tensor documents, Tensor scale, int negativesPerQuery, long[]? groups)
    {
        var q = Normalize ? nn.functional.normalize(queries, 2.0, 1) : queries;
        var d = Normalize ? nn.functional.normalize(documents, 2.0, 1) : documents;
        return new LossInputs(q, d, scale, negativesPerQuery, groups, Weights(q, d, negativesPerQuery));
    }

    private Tensor? Weights(Tensor queries, Tensor documents, int negativesPerQuery)
    {
        using var noGrad = no_grad();
        var positives = documents.index_select(0, LossRows.PositiveRows(0, (int)queries.shape[0], negativesPerQuery, queries.device));
        return PositiveWeights((queries * positives).sum(1).detach());
    }

    private IEnumerable<LossBlock> Blocks(int batchSize)
    {
        var chunk = RowChunkSize ?? batchSize;
        for (var start = 0; start < batchSize; start += chunk)
        {
            yield return new LossBlock(Reverse: false, start, Math.Min(chunk, batchSize - start));
        }

        if (Symmetric)
        {
            for (var start = 0; start < batchSize; start += chunk)
            {
                yield return new LossBlock(Reverse: true, start, Math.Min(chunk, batchSize - start));
            }
        }
    }

    private Tensor BlockLoss(LossInputs inputs, LossBlock block)
    {
        var device = inputs.Queries.device;
        Tensor anchors, candidates;
        int stride;
        if (block.Reverse)
        {
            // Positive documents against the B queries: row i's target is query i.
            anchors = inputs.Documents.index_select(0, LossRows.PositiveRows(block.Start, block.Count, inputs.NegativesPerQuery, device));
            candidates = inputs.Queries;
            stride = 1;
        }
        else
        {
            anchors = inputs.Queries.narrow(0, block.Start, block.Count);
            candidates = inputs.Documents;
            stride = 1 + inputs.NegativesPerQuery;
        }

        var logits = anchors.matmul(candidates.t()) * inputs.InverseTemperature;
        var targets = LossRows.PositiveRows(block.Start, block.Count, stride - 1, device).unsqueeze(1);
        var positive = logits.gather(1, targets).squeeze(1);
        var mask = LossRows.Mask(block.Start, block.Count, stride, (int)candidates.shape[0], inputs.Groups, ExcludesPositiveFromDenominator, device);
        var denominator = (mask is null ? logits : logits.masked_fill(mask, double.NegativeInfinity)).logsumexp(1);
        if (inputs.Weights is { } weights)
        {
            positive = positive * weights.narrow(0, block.Start, block.Count);
        }

        var directions = Symmetric ? 2.0 : 1.0;
        return (denominator - positive).sum() / (directions * inputs.BatchSize);
    }

    private void Validate(Tensor queries, Tensor documents, int negativesPerQuery, long[]? groups)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentOutOfRangeException.ThrowIfNegative(negativesPerQuery);
        if (queries.dim() != 2 || queries.shape[0] < 1)
        {
            throw new ArgumentException($"Expected queries of shape [B, D] with B >= 1, got [{string.Join(", ", queries.shape)}].", nameof(queries));
        }

        var batch = queries.shape[0];
        if (documents.dim() != 2 || documents.shape[1] != queries.shape[1] || documents.shape[0] != batch * (1 + negativesPerQuery))
        {
            throw new ArgumentException(
                $"Expected documents of shape [B(1+k), D] = [{batch * (1 + negativesPerQuery)}, {queries.shape[1]}], got [{string.Join(", ", documents.shape)}].",
                nameof(documents));
        }

        LossRows.CheckGroups(groups, (int)batch, negativesPerQuery, ExcludesPositiveFromDenominator, Symmetric);
    }
}
