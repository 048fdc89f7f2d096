using Microsoft.ML;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Transforms;

[TestClass]
public sealed class GroupColumnTests
{
    private sealed class TextGroupRow
    {
        public string Anchor { get; set; } = string.Empty;

        public string Positive { get; set; } = string.Empty;

        public string? Group { get; set; }
    }

    private static TextGroupRow[] Rows(Func<int, string?> group) =>
        TestData.Rows(8, seed: 3).Select((r, i) => new TextGroupRow { Anchor = r.Anchor!, Positive = r.Positive!, Group = group(i) }).ToArray();

    private static ContrastiveEmbeddingOptions Options() => new()
    {
        AnchorColumnName = "Anchor",
        PositiveColumnName = "Positive",
        GroupColumnName = "Group",
        EmbeddingDimension = 16,
        BatchSize = 8,
        Epochs = 1,
        Seed = 5,
    };

    [TestMethod]
    public void Fit_GroupValuesMissing_RowsAreEachOthersNegatives()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Rows(i => i % 2 == 0 ? null : (i % 4 == 1 ? string.Empty : " ")));

        using var transformer = mlContext.Transforms.ContrastiveEmbedding(Options()).Fit(data);

        // Rows in no group see the 7 others as negatives: the first InfoNCE loss is about ln 8 = 2.08 for an untrained
        // encoder, and never the exact 0 of one shared group "".
        var loss = transformer.TrainingSummary!.Losses.Single();
        Assert.IsGreaterThan(0.5, loss, $"loss {loss}");
    }

    [TestMethod]
    public void Fit_GroupValuesMissing_SameAsNoGroupColumn()
    {
        float[] Run(string? groupColumn)
        {
            var mlContext = new MLContext(seed: 1);
            var data = mlContext.Data.LoadFromEnumerable(Rows(_ => null));
            var options = Options();
            options.GroupColumnName = groupColumn;
            using var transformer = mlContext.Transforms.ContrastiveEmbedding(options).Fit(data);
            return TestData.Vectors(transformer.Transform(data))[0];
        }

        Assert.AreEqual(PersistenceTests.Bits(Run(null)), PersistenceTests.Bits(Run("Group")));
    }

    [TestMethod]
    public void Fit_EveryRowInOneGroup_ThrowsNamingTheColumn()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Rows(_ => "same"));

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => mlContext.Transforms.ContrastiveEmbedding(Options()).Fit(data));

        StringAssert.Contains(e.Message, "group column 'Group'");
        StringAssert.Contains(e.Message, "no row has a negative");
    }
}
