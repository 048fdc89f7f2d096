using MLNet.Contrastive.Evaluation;

namespace MLNet.Contrastive.Tests.Evaluation;

[TestClass]
public sealed class MetricsReportTests
{
    private static readonly RetrievalMetrics Baseline = new(0.25, 0.5, 0.625, 0.375, 0.4, 8, 100);
    private static readonly RetrievalMetrics Trained = new(0.5, 0.75, 0.875, 0.625, 0.7, 8, 100);

    [TestMethod]
    public void ToMarkdown_TwoResults_SideBySide()
    {
        string markdown = MetricsReport.ToMarkdown(("TF-IDF baseline", Baseline), ("trained model", Trained));
        string[] lines = markdown.Split(Environment.NewLine);

        Assert.AreEqual("| Metric | TF-IDF baseline | trained model |", lines[0]);
        Assert.AreEqual("|---|---:|---:|", lines[1]);
        CollectionAssert.Contains(lines, "| Recall@1 | 0.2500 | 0.5000 |");
        CollectionAssert.Contains(lines, "| nDCG@10 | 0.4000 | 0.7000 |");
        CollectionAssert.Contains(lines, "| Documents | 100 | 100 |");
        Assert.AreEqual(2 + 7, lines.Length);
    }

    [TestMethod]
    public void ToString_IsAlignedTable()
    {
        string[] lines = Baseline.ToString().Split(Environment.NewLine);

        Assert.AreEqual(1, lines.Select(l => l.Length).Distinct().Count(), "every line is padded to the same width");
        StringAssert.StartsWith(lines[2], "Recall@1");
        StringAssert.EndsWith(lines[2], "0.2500");
        StringAssert.EndsWith(lines.Last(), " 100");
    }

    [TestMethod]
    public void ToText_DifferentMetricSets_LeavesEmptyCells()
    {
        var similarity = new SimilarityMetrics(0.5, 0.25, 10);
        string text = MetricsReport.ToText(("retrieval", Baseline), ("similarity", similarity));
        StringAssert.Contains(text, "Spearman");
        StringAssert.Contains(text, "Recall@1");
    }

    [TestMethod]
    public void RetrievalMetrics_ValueOutsideUnitRange_Throws()
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new RetrievalMetrics(1.5, 0, 0, 0, 0, 1, 1));
        Assert.AreEqual("recallAt1", error.ParamName);
    }
}
