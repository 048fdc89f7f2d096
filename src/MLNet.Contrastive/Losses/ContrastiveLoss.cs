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
    private readonly int[]? matryoshkaDimensions;
    private readonly double[]? matryoshkaWeights;

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

    /// <summary>
    /// Gets nested embedding sizes for a Matryoshka loss (Kusupati et al. 2022, arXiv 2205.13147): the loss is the
    /// weighted sum, over each size <c>m</c>, of this loss on the first <c>m</c> dimensions of every embedding (normalised
    /// again when <see cref="Normalize"/> is set), so that each prefix is an embedding of its own. Ascending, each at least
    /// 1 and at most the embeddings' size (checked when the loss runs). Default is <see langword="null"/>: the whole embedding only.
    /// </summary>
    /// <exception cref="ArgumentException">The sizes are empty, not ascending, or not positive.</exception>
    public IReadOnlyList<int>? MatryoshkaDimensions
    {
        get => matryoshkaDimensions;
        init
        {
            if (value is not null)
            {
                CheckMatryoshka(value, nameof(MatryoshkaDimensions));
            }

            matryoshkaDimensions = value?.ToArray();
        }
    }

    /// <summary>Gets the weight of each of <see cref="MatryoshkaDimensions"/> (same count, each a positive finite number).
    /// Default is <see langword="null"/>: weight 1 for every size.</summary>
    /// <exception cref="ArgumentException">A weight is not a positive finite number.</exception>
    public IReadOnlyList<double>? MatryoshkaWeights
    {
        get => matryoshkaWeights;
        init
        {
            if (value is not null)
            {
                CheckMatryoshkaWeights(value, nameof(MatryoshkaWeights));
            }

            matryoshkaWeights = value?.ToArray();
        }
    }

    /// <summary>Gets what the loss computes, in words that change whenever its result would (for a run's fingerprint).</summary>
    internal virtual string Description => $"{GetType().Name}, symmetric {Symmetric}, normalize {Normalize}, rows {RowChunkSize}" +
        (matryoshkaDimensions is null ? string.Empty : $", matryoshka [{string.Join(", ", matryoshkaDimensions)}] weights [{string.Join(", ", Levels(matryoshkaDimensions[^1]).Select(l => l.Weight.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}]");

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
    public Tensor Forward(Tensor queries, Tensor documents, int negativesPerQuery, long[]? groups = null) =>
        ForwardMasked(queries, documents, negativesPerQuery, groups, guided: null);

    /// <summary>As <see cref="Forward(Tensor, Tensor, int, long[])"/>, with candidates a guide model masked out.</summary>
    internal Tensor ForwardMasked(Tensor queries, Tensor documents, int negativesPerQuery, long[]? groups, NegativeMask? guided)
    {
        Validate(queries, documents, negativesPerQuery, groups, guided);
        using var scope = NewDisposeScope();
        var scale = Temperature.InverseTemperature(queries.device);
        Tensor? total = null;
        foreach (var (dimension, weight) in Levels((int)queries.shape[1]))
        {
            var inputs = Prepare(Prefix(queries, dimension), Prefix(documents, dimension), scale, negativesPerQuery, groups) with { Guided = guided };
            foreach (var block in Blocks(inputs.BatchSize))
            {
                var part = BlockLoss(inputs, block) * weight;
                total = total is null ? part : total + part;
            }
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
    public double ForwardBackward(Tensor queries, Tensor documents, int negativesPerQuery, long[]? groups = null) =>
        ForwardBackwardMasked(queries, documents, negativesPerQuery, groups, guided: null);

    /// <summary>As <see cref="ForwardBackward(Tensor, Tensor, int, long[])"/>, with candidates a guide model masked out.</summary>
    internal double ForwardBackwardMasked(Tensor queries, Tensor documents, int negativesPerQuery, long[]? groups, NegativeMask? guided)
    {
        Validate(queries, documents, negativesPerQuery, groups, guided);
        double total = 0;
        foreach (var (dimension, weight) in Levels((int)queries.shape[1]))
        {
            using var scope = NewDisposeScope();
            total += ForwardBackwardAt(Prefix(queries, dimension), Prefix(documents, dimension), negativesPerQuery, groups, guided, weight);
        }

        return total;
    }

    // One term of the loss (the whole embeddings, or one Matryoshka prefix), times its weight, back-propagated block by block.
    private double ForwardBackwardAt(Tensor queries, Tensor documents, int negativesPerQuery, long[]? groups, NegativeMask? guided, double weight)
    {
        var normalizedQueries = Normalize ? nn.functional.normalize(queries, 2.0, 1) : queries;
        var normalizedDocuments = Normalize ? nn.functional.normalize(documents, 2.0, 1) : documents;
        var scale = Temperature.InverseTemperature(queries.device);

        // Each block's graph starts at these leaves, so freeing it leaves the others intact.
        var queryLeaf = normalizedQueries.detach().requires_grad_(queries.requires_grad);
        var documentLeaf = normalizedDocuments.detach().requires_grad_(documents.requires_grad);
        var scaleLeaf = scale.detach().requires_grad_(scale.requires_grad);
        var inputs = new LossInputs(queryLeaf, documentLeaf, scaleLeaf, negativesPerQuery, groups,
            Weights(queryLeaf, documentLeaf, negativesPerQuery), guided);

        double total = 0;
        foreach (var block in Blocks(inputs.BatchSize))
        {
            using var blockScope = NewDisposeScope();
            var part = BlockLoss(inputs, block) * weight;
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

    // The terms of the loss: the whole embeddings with weight 1, or each Matryoshka size with its weight.
    private IEnumerable<(int Dimension, double Weight)> Levels(int dimension) =>
        matryoshkaDimensions is null
            ? [(dimension, 1.0)]
            : matryoshkaDimensions.Select((m, i) => (m, matryoshkaWeights?[i] ?? 1.0));

    private static Tensor Prefix(Tensor embeddings, int dimension) =>
        dimension == embeddings.shape[1] ? embeddings : embeddings.narrow(1, 0, dimension);

    /// <summary>Throws unless every weight is a positive finite number (no tensor is made: safe before libtorch loads).</summary>
    internal static void CheckMatryoshkaWeights(IReadOnlyList<double> weights, string name)
    {
        if (weights.Any(w => !(w > 0) || double.IsInfinity(w)))
        {
            throw new ArgumentException($"Every Matryoshka weight must be a positive finite number, got [{string.Join(", ", weights)}].", name);
        }
    }

    /// <summary>Throws unless the sizes are ascending and at least 1 (no tensor is made: safe before libtorch loads).</summary>
    internal static void CheckMatryoshka(IReadOnlyList<int> dimensions, string name)
    {
        if (dimensions.Count == 0 || dimensions[0] < 1 || dimensions.Zip(dimensions.Skip(1)).Any(p => p.Second <= p.First))
        {
            throw new ArgumentException($"Matryoshka dimensions must be ascending sizes of at least 1, got [{string.Join(", ", dimensions)}].", name);
        }
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
        var guided = block.Reverse ? inputs.Guided?.Reverse : inputs.Guided?.Forward;
        var mask = LossRows.Mask(block.Start, block.Count, stride, (int)candidates.shape[0], inputs.Groups, ExcludesPositiveFromDenominator, device, guided);

        // A guide may leave a row no candidate at all (DCL: not even the positive): its term is 0, and its logits are left
        // unmasked so that the (zero-weighted) softmax stays finite for autograd.
        Tensor? kept = null;
        if (guided is not null && mask is not null)
        {
            var empty = mask.all(1);
            if (empty.any().item<bool>())
            {
                mask = mask.logical_and(empty.logical_not().unsqueeze(1));
                kept = empty.logical_not().to(logits.dtype);
            }
        }

        var denominator = (mask is null ? logits : logits.masked_fill(mask, double.NegativeInfinity)).logsumexp(1);
        if (inputs.Weights is { } weights)
        {
            positive = positive * weights.narrow(0, block.Start, block.Count);
        }

        var directions = Symmetric ? 2.0 : 1.0;
        var rows = denominator - positive;
        return (kept is null ? rows : rows * kept).sum() / (directions * inputs.BatchSize);
    }

    private void Validate(Tensor queries, Tensor documents, int negativesPerQuery, long[]? groups, NegativeMask? guided)
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
        if (guided is not null && (guided.Forward.Length != batch * documents.shape[0] || (Symmetric && guided.Reverse?.Length != batch * batch)))
        {
            throw new ArgumentException(
                $"The guide's mask must hold [B, B(1+k)] = [{batch}, {documents.shape[0]}] entries{(Symmetric ? $" and, for a symmetric loss, [B, B] = [{batch}, {batch}]" : string.Empty)}.", nameof(guided));
        }

        if (matryoshkaDimensions is { } dimensions && dimensions[^1] > queries.shape[1])
        {
            throw new ArgumentException(
                $"The largest Matryoshka dimension ({dimensions[^1]}) is above the embeddings' size ({queries.shape[1]}).", nameof(MatryoshkaDimensions));
        }

        if (matryoshkaWeights is { } weights && weights.Length != (matryoshkaDimensions?.Length ?? -1))
        {
            throw new ArgumentException(
                $"MatryoshkaWeights has {weights.Length} weights for {matryoshkaDimensions?.Length ?? 0} Matryoshka dimensions: give one per dimension.", nameof(MatryoshkaWeights));
        }
    }
}
