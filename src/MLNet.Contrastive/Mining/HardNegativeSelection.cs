using MLNet.Contrastive.Evaluation;

namespace MLNet.Contrastive.Mining;

/// <summary>
/// Picks hard negatives for each (anchor, positive) row from a corpus by exact cosine search: the candidates ranked by
/// their similarity to the anchor, those that cannot be negatives removed (the row's positive, every positive of a row
/// with the same anchor text or the same group, the anchor's own text), the ranks of the window kept, those the margins
/// let through (a false-negative guard: a negative must score clearly below the positive), then the best
/// <c>k</c> (or <c>k</c> drawn at random, seeded). A row left with fewer than <c>k</c> gets none.
/// </summary>
internal static class HardNegativeSelection
{
    /// <summary>One row to mine for, as positions in the corpus and in the anchor vectors.</summary>
    /// <param name="Anchor">The row's anchor: its position among the anchor vectors.</param>
    /// <param name="Positive">The corpus position of the row's positive.</param>
    /// <param name="Excluded">Sets of corpus positions that must never be this row's negatives (shared between rows: the
    /// positives of its anchor text, of its group, the anchor's own text).</param>
    internal sealed record Row(int Anchor, int Positive, IReadOnlyList<IReadOnlySet<int>> Excluded)
    {
        internal bool Excludes(int index) => index == Positive || Excluded.Any(set => set.Contains(index));
    }

    /// <summary>What one row got.</summary>
    /// <param name="Negatives">The corpus positions of the chosen negatives, best first (for a sample, in rank order); empty when too few passed.</param>
    /// <param name="PositiveScore">The cosine similarity of the anchor and its positive.</param>
    /// <param name="Candidates">How many candidates of the window passed the margins.</param>
    internal sealed record Choice(int[] Negatives, float PositiveScore, int Candidates);

    /// <summary>Selects the negatives of every row.</summary>
    /// <param name="anchors">The anchor embeddings (any length; normalised by the index's scoring).</param>
    /// <param name="corpus">The index over the candidate documents.</param>
    /// <param name="rows">The rows, each naming its anchor, its positive and the corpus positions it must not take.</param>
    /// <param name="settings">The window, margins, count and sampling.</param>
    /// <param name="blockDone">Called after each block of rows with the rows done so far; checks cancellation.</param>
    /// <returns>One choice per row, in row order.</returns>
    internal static Choice[] Select(IReadOnlyList<float[]> anchors, CosineIndex corpus, IReadOnlyList<Row> rows, HardNegativeMiningOptions settings, Action<int>? blockDone = null)
    {
        const int block = 256;
        var choices = new Choice[rows.Count];
        for (var start = 0; start < rows.Count; start += block)
        {
            var end = Math.Min(rows.Count, start + block);
            Parallel.For(start, end, r =>
            {
                var row = rows[r];
                var query = anchors[row.Anchor];
                // The window's end counts candidates after the exclusions: search that much deeper.
                var depth = (int)Math.Min(corpus.Count, settings.MaxRank + 1L + row.Excluded.Sum(set => (long)set.Count));
                var ranked = corpus.Search(query, depth).Where(hit => !row.Excludes(hit.Index)).Skip(settings.SkipTopRanks)
                    .Take(settings.MaxRank - settings.SkipTopRanks).ToArray();
                var positive = corpus.Similarity(query, row.Positive);
                var passed = ranked.Where(hit => PassesMargins(hit.Score, positive, settings)).Select(hit => hit.Index).ToArray();
                choices[r] = passed.Length < settings.NegativesPerAnchor
                    ? new Choice([], positive, passed.Length)
                    : new Choice(Choose(passed, settings, r), positive, passed.Length);
            });
            blockDone?.Invoke(end);
        }

        return choices;
    }

    /// <summary>Whether a candidate's score is low enough against the positive's (both margins, when set).</summary>
    internal static bool PassesMargins(float score, float positive, HardNegativeMiningOptions settings) =>
        (settings.AbsoluteMargin is not { } absolute || score <= positive - absolute)
        && (settings.RelativeMargin is not { } relative || score <= positive * (1 - relative));

    // The best k, or k drawn without replacement from the passed candidates (seeded by the seed and the row, so the
    // result does not depend on the order rows are processed in), kept in rank order.
    private static int[] Choose(int[] passed, HardNegativeMiningOptions settings, int row)
    {
        var k = settings.NegativesPerAnchor;
        if (!settings.SampleWithinWindow)
        {
            return passed[..k];
        }

        var random = new Random(unchecked((settings.Seed * 1_000_003) + row)); // not HashCode: it differs between processes
        var positions = Enumerable.Range(0, passed.Length).ToArray();
        random.Shuffle(positions);
        return positions.Take(k).Order().Select(p => passed[p]).ToArray();
    }
}
