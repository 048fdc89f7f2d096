using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Evaluation;

namespace MLNet.Contrastive.Tests.Evaluation;

[TestClass]
public sealed class SimilarityEvaluatorTests
{
    // Correlations of a handful of doubles; 1e-6 is the precision of the hand arithmetic below.
    private const double Tolerance = 1e-6;

    [TestMethod]
    public void Spearman_WithTies_UsesAverageRanks()
    {
        // x = [1,2,2,4] -> ranks [1, 2.5, 2.5, 4]; y = [1,3,2,4] -> ranks [1,3,2,4].
        // Rank deviations from 2.5: dx = [-1.5,0,0,1.5], dy = [-1.5,.5,-.5,1.5].
        // Sxy = 4.5, Sxx = 4.5, Syy = 5 -> rho = 4.5 / sqrt(22.5) = 0.948683.
        Assert.AreEqual(0.948683, Correlation.Spearman([1, 2, 2, 4], [1, 3, 2, 4]), Tolerance);
        CollectionAssert.AreEqual(new[] { 1, 2.5, 2.5, 4 }, Correlation.AverageRanks([1, 2, 2, 4]));
    }

    [TestMethod]
    public void Pearson_TinyVectors_MatchesHandComputation()
    {
        // x = [1,2,3], y = [2,4,7]: dx = [-1,0,1], dy = [-7/3,-1/3,8/3]; Sxy = 5, Sxx = 2, Syy = 38/3
        // r = 5 / sqrt(76/3) = 0.993399.
        Assert.AreEqual(0.993399, Correlation.Pearson([1, 2, 3], [2, 4, 7]), Tolerance);
    }

    [TestMethod]
    public void Pearson_ConstantSeries_IsNaN()
    {
        Assert.IsTrue(double.IsNaN(Correlation.Pearson([1, 1, 1], [1, 2, 3])));
    }

    // Pairs whose cosines are 1, 0.6, 0, -0.6 against gold [5, 3, 3, 0].
    private static readonly float[][] First = [[1, 0], [2, 0], [1, 0], [1, 0]];
    private static readonly float[][] Second = [[3, 0], [0.6f, 0.8f], [0, 1], [-0.6f, 0.8f]];
    private static readonly double[] Gold = [5, 3, 3, 0];

    [TestMethod]
    public void Evaluate_CosinesAgainstTiedGold_MatchesHandComputation()
    {
        var metrics = SimilarityEvaluator.Evaluate(First, Second, Gold);

        // Spearman: cosine ranks [4,3,2,1], gold ranks [4,2.5,2.5,1] -> Sxy = 4.5, Sxx = 5, Syy = 4.5 -> 0.948683.
        Assert.AreEqual(0.948683, metrics.Spearman, Tolerance);
        // Pearson: dc = [.75,.35,-.25,-.85], dg = [2.25,.25,.25,-2.75]; Sxy = 4.05, Scc = 1.47, Sgg = 12.75
        // r = 4.05 / sqrt(18.7425) = 0.935494 (cosines are float32: 1e-6 still holds).
        Assert.AreEqual(0.935494, metrics.Pearson, Tolerance);
        Assert.AreEqual(4, metrics.PairCount);
    }

    [TestMethod]
    public void Evaluate_DataView_MatchesArrayOverload()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(First.Select((f, i) =>
            new PairRow { Embedding1 = f, Embedding2 = Second[i], Label = (float)Gold[i] }));

        var metrics = SimilarityEvaluator.Evaluate(data);

        Assert.AreEqual(0.948683, metrics.Spearman, Tolerance);
        Assert.AreEqual(0.935494, metrics.Pearson, Tolerance);
    }

    [TestMethod]
    public void Evaluate_DataViewWithTextLabel_ErrorNamesColumnAndTypes()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable([new TextLabelRow { Embedding1 = [1, 0], Embedding2 = [0, 1], Label = "5" }]);

        var error = Assert.ThrowsExactly<ArgumentException>(() => SimilarityEvaluator.Evaluate(data));

        StringAssert.Contains(error.Message, "'Label'");
        StringAssert.Contains(error.Message, "expected Single or Double");
        StringAssert.Contains(error.Message, "String");
    }

    [TestMethod]
    public void Evaluate_ConstantGold_Throws()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => SimilarityEvaluator.Evaluate(First, Second, [2, 2, 2, 2]));
        Assert.AreEqual("goldScores", error.ParamName);
    }

    private sealed class PairRow
    {
        [VectorType(2)]
        public float[] Embedding1 { get; set; } = [];

        [VectorType(2)]
        public float[] Embedding2 { get; set; } = [];

        public float Label { get; set; }
    }

    private sealed class TextLabelRow
    {
        [VectorType(2)]
        public float[] Embedding1 { get; set; } = [];

        [VectorType(2)]
        public float[] Embedding2 { get; set; } = [];

        public string Label { get; set; } = "";
    }
}
