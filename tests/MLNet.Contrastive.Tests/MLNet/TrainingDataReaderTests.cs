using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Contrastive.MLNet;

namespace MLNet.Contrastive.Tests.MLNet;

[TestClass]
public sealed class TrainingDataReaderTests
{
    private sealed class GroupedRow
    {
        public string Anchor { get; set; } = string.Empty;

        public string Positive { get; set; } = string.Empty;

        public string Negative { get; set; } = string.Empty;

        public long Group { get; set; }
    }

    [TestMethod]
    public void Read_KeepsTextsNegativesAndIntegerGroupKeys_InRowOrder()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(new[]
        {
            new GroupedRow { Anchor = "a0", Positive = "p0", Negative = "n0", Group = 7 },
            new GroupedRow { Anchor = "a1", Positive = "p1", Negative = "n1", Group = -3 },
        });
        var options = new ContrastiveEmbeddingOptions { NegativeColumnNames = new[] { "Negative" }, GroupColumnName = "Group" };
        var host = ((IHostEnvironment)mlContext).Register("test");

        var examples = TrainingDataReader.Read(host, data, options, CancellationToken.None);

        Assert.HasCount(2, examples);
        Assert.AreEqual(("a1", "p1", "n1", "-3"), (examples[1].Anchor, examples[1].Positive, examples[1].Negatives.Single(), examples[1].GroupKey));
        Assert.AreEqual("7", examples[0].GroupKey);
    }

    [TestMethod]
    public void Transform_OnlyInputColumnsRead_EncodesNothing()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.View(mlContext, TestData.Rows(10));
        using var transformer = TestData.Fit(mlContext, data);
        var before = transformer.EncodeCalls;

        var ids = transformer.Transform(data).GetColumn<int>(nameof(PairRow.Id)).ToArray();

        CollectionAssert.AreEqual(Enumerable.Range(0, 10).ToArray(), ids);
        Assert.AreEqual(before, transformer.EncodeCalls, "the embedding column was not asked for: the model must not run");
    }
}
