namespace MLNet.Contrastive.Losses;

/// <summary>
/// InfoNCE (van den Oord et al. 2018, arXiv 1807.03748), the "multiple negatives ranking" loss of sentence embedding
/// training (Henderson et al. 2017, arXiv 1705.00652; SimCSE, Gao et al. 2021, arXiv 2104.08821).
/// </summary>
/// <remarks>
/// <para>One-way, for query <c>i</c> with positive <c>p(i) = i(1+k)</c> and the unmasked documents <c>j</c> of the batch:
/// <c>loss_i = -s(q_i, d_p(i))/t + logsumexp_j s(q_i, d_j)/t</c>, averaged over the <c>B</c> queries
/// (a cross-entropy whose target is the positive).</para>
/// <para>Symmetric: the mean of the one-way loss and the positive-to-query loss
/// <c>-s(d_p(i), q_i)/t + logsumexp_j s(d_p(i), q_j)/t</c> over the <c>B</c> positives and <c>B</c> queries (as in CLIP).</para>
/// <para>See <see cref="ContrastiveLoss"/> for the layout, normalisation, group masking and row chunking.</para>
/// </remarks>
/// <example><code>
/// var loss = new InfoNceLoss(Temperature.Fixed(0.05)) { Symmetric = true, RowChunkSize = 256 };
/// using var value = loss.Forward(queryEmbeddings, documentEmbeddings, negativesPerQuery: 1);
/// </code></example>
public sealed class InfoNceLoss : ContrastiveLoss
{
    /// <summary>Initializes a new instance of the <see cref="InfoNceLoss"/> class.</summary>
    /// <param name="temperature">The temperature, fixed or learnable.</param>
    /// <exception cref="ArgumentNullException"><paramref name="temperature"/> is null.</exception>
    public InfoNceLoss(Temperature temperature)
        : base(temperature)
    {
    }

    /// <inheritdoc />
    private protected override bool ExcludesPositiveFromDenominator => false;
}
