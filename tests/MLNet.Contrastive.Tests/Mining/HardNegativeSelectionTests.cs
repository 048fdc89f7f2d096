using MLNet.Contrastive.Evaluation;
using MLNet.Contrastive.Mining;

namespace MLNet.Contrastive.Tests.Mining;

/// <summary>The selection rules on hand-built vectors whose cosine similarities to the anchor are known exactly.</summary>
[TestClass]
public sealed class HardNegativeSelectionTests
{
    // Corpus document i has cosine Scores[i] with the anchor (1, 0): the vector (s, sqrt(1 - s^2)).
    private static readonly float[] Scores = [0.90f, 0.99f, 0.95f, 0.80f, 0.70f, 0.85f, 0.60f, 0.50f];
    private static readonly float[][] Anchor = [[1f, 0f]];

    private static CosineIndex Corpus() => new(Scores.Select(s => new[] { s, MathF.Sqrt(1 - (s * s)) }).ToArray());

    // Document 0 (0.90) is the positive; by score the others rank 1 (0.99), 2 (0.95), 5 (0.85), 3 (0.80), 4, 6, 7.
    private static HardNegativeSelection.Choice One(HardNegativeMiningOptions options, params int[][] excluded) =>
        HardNegativeSelection.Select(Anchor, Corpus(), [new HardNegativeSelection.Row(0, 0, excluded.Select(e => (IReadOnlySet<int>)e.ToHashSet()).ToArray())], options).Single();

    [TestMethod]
    public void Select_NoMargin_TakesTheBestCandidatesButNeverThePositive()
    {
        var choice = One(new HardNegativeMiningOptions { NegativesPerAnchor = 3, RelativeMargin = null });

        CollectionAssert.AreEqual(new[] { 1, 2, 5 }, choice.Negatives);
        Assert.AreEqual(0.90f, choice.PositiveScore, 1e-6f);
    }

    [TestMethod]
    public void Select_RelativeMargin_KeepsOnlyCandidatesBelowThatShareOfThePositive()
    {
        // 95% of 0.90 is 0.855: 0.99, 0.95 and 0.85... 0.85 <= 0.855 passes, the two above it do not.
        var choice = One(new HardNegativeMiningOptions { NegativesPerAnchor = 2 });

        CollectionAssert.AreEqual(new[] { 5, 3 }, choice.Negatives);
        Assert.IsTrue(choice.Negatives.All(n => Scores[n] <= 0.95f * Scores[0]));
    }

    [TestMethod]
    public void Select_AbsoluteMargin_KeepsOnlyCandidatesThatMuchBelowThePositive()
    {
        // 0.90 - 0.15 = 0.75: the first candidates at or below it are 0.70, 0.60.
        var choice = One(new HardNegativeMiningOptions { NegativesPerAnchor = 2, RelativeMargin = null, AbsoluteMargin = 0.15 });

        CollectionAssert.AreEqual(new[] { 4, 6 }, choice.Negatives);
    }

    [TestMethod]
    public void Select_SkipTopRanks_AndMaxRank_BoundTheWindow()
    {
        // Without the positive the ranking is 1, 2, 5, 3, 4, 6, 7: ranks 2 to 3 are documents 5 and 3.
        var choice = One(new HardNegativeMiningOptions { NegativesPerAnchor = 2, RelativeMargin = null, SkipTopRanks = 2, MaxRank = 4 });
        CollectionAssert.AreEqual(new[] { 5, 3 }, choice.Negatives);

        // Asking for 3 from a window of 2 (ranks 2..3) leaves the row without negatives.
        var tooFew = HardNegativeSelection.Select(Anchor, Corpus(), [new HardNegativeSelection.Row(0, 0, [])],
            new HardNegativeMiningOptions { NegativesPerAnchor = 2, RelativeMargin = 0.5, SkipTopRanks = 2, MaxRank = 4 }).Single();
        Assert.IsEmpty(tooFew.Negatives, "0.85 and 0.80 are above half of the positive: nothing passes");
        Assert.AreEqual(0, tooFew.Candidates);
    }

    [TestMethod]
    public void Select_ExcludedSets_AreNeverTakenAndDoNotUseUpTheWindow()
    {
        // Documents 1 and 2 (another positive of the same anchor, a same-group positive) are excluded: the window of
        // 3 counts the candidates after them.
        var choice = One(new HardNegativeMiningOptions { NegativesPerAnchor = 3, RelativeMargin = null, MaxRank = 3 }, [1], [2]);

        CollectionAssert.AreEqual(new[] { 5, 3, 4 }, choice.Negatives);
    }

    [TestMethod]
    public void Select_Sampling_IsSeededWithinTheWindowAndInRankOrder()
    {
        var options = new HardNegativeMiningOptions { NegativesPerAnchor = 2, RelativeMargin = null, MaxRank = 6, SampleWithinWindow = true, Seed = 5 };
        var window = new[] { 1, 2, 5, 3, 4, 6 };
        var draws = Enumerable.Range(0, 20).Select(seed => One(new HardNegativeMiningOptions
        {
            NegativesPerAnchor = 2, RelativeMargin = null, MaxRank = 6, SampleWithinWindow = true, Seed = seed,
        }).Negatives).ToList();

        CollectionAssert.AreEqual(One(options).Negatives, One(options).Negatives, "the same seed draws the same negatives");
        foreach (var draw in draws)
        {
            Assert.IsTrue(draw.All(window.Contains), string.Join(",", draw));
            Assert.IsLessThan(Array.IndexOf(window, draw[1]), Array.IndexOf(window, draw[0]), "kept in rank order");
        }

        Assert.IsGreaterThan(5, draws.Select(d => string.Join(",", d)).Distinct().Count(), "different seeds draw different pairs");
    }
}
