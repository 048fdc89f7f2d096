namespace MLNet.Contrastive.Losses;

/// <summary>
/// Candidates a guide model ruled out of a batch's loss (guided false-negative filtering, GISTEmbed): masked like the
/// documents of a row's own group. <see cref="Forward"/> is row-major <c>[B, B(1+k)]</c> (query <c>i</c> against every
/// document); <see cref="Reverse"/> is <c>[B, B]</c> (positive <c>i</c> against every query, for a symmetric loss). A row's
/// own positive (its target) is never masked. A row left with no negative contributes 0 to the loss.
/// </summary>
/// <param name="Forward">Query-to-document entries to mask.</param>
/// <param name="Reverse">Positive-to-query entries to mask, or <see langword="null"/> when the loss is one-way.</param>
internal sealed record NegativeMask(bool[] Forward, bool[]? Reverse)
{
    /// <summary>Gets how many entries are masked (for the log).</summary>
    public int Count => Forward.Count(m => m) + (Reverse?.Count(m => m) ?? 0);
}
