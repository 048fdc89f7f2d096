using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Contrastive.Text;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Transforms;

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
    public void Read_KeepsTokenIdsNegativesAndGroupIds_InRowOrder()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(new[]
        {
            new GroupedRow { Anchor = "a zero", Positive = "p zero", Negative = "n zero", Group = 7 },
            new GroupedRow { Anchor = "a one", Positive = "p one", Negative = "n one", Group = -3 },
            new GroupedRow { Anchor = "a two", Positive = "p two", Negative = "n two", Group = 7 },
        });
        var options = new ContrastiveEmbeddingOptions { NegativeColumnNames = new[] { "Negative" }, GroupColumnName = "Group" };
        var host = ((IHostEnvironment)mlContext).Register("test");
        var tokenizer = TextTokenizer.Cl100kBase(maxTokens: 16);

        var read = TrainingDataReader.Read(host, data, options, tokenizer, CancellationToken.None);

        Assert.HasCount(3, read.Examples);
        var second = read.Examples[1];
        CollectionAssert.AreEqual(tokenizer.Encode("a one"), second.Query);
        CollectionAssert.AreEqual(tokenizer.Encode("p one"), second.Positive);
        CollectionAssert.AreEqual(tokenizer.Encode("n one"), second.Negatives.Single());
        // Group keys are numbered in order of appearance; equal keys share an id.
        CollectionAssert.AreEqual(new long?[] { 0, 1, 0 }, read.Examples.Select(e => e.Group).ToArray());
        Assert.AreEqual(0, read.TruncatedTexts);
    }

    private sealed class TextGroupRow
    {
        public string Anchor { get; set; } = "a";

        public string Positive { get; set; } = "p";

        public string? Group { get; set; }
    }

    [TestMethod]
    public void Read_MissingTextGroupValue_MeansNoGroup()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(new[]
        {
            new TextGroupRow { Group = null }, new TextGroupRow { Group = string.Empty }, new TextGroupRow { Group = "x" },
            new TextGroupRow { Group = "  " }, new TextGroupRow { Group = "x" },
        });
        var options = new ContrastiveEmbeddingOptions { GroupColumnName = "Group" };
        var host = ((IHostEnvironment)mlContext).Register("test");

        var read = TrainingDataReader.Read(host, data, options, TextTokenizer.Cl100kBase(maxTokens: 8), CancellationToken.None);

        // Null, empty and blank values are "no group" (null), never a shared group "" whose rows mask each other.
        CollectionAssert.AreEqual(new long?[] { null, null, 0, null, 0 }, read.Examples.Select(e => e.Group).ToArray());
    }

    [TestMethod]
    public void Read_CountsTruncatedTexts()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(new[]
        {
            new GroupedRow { Anchor = "one two three four five six seven eight nine ten", Positive = "short", Negative = "n" },
        });
        var host = ((IHostEnvironment)mlContext).Register("test");
        var tokenizer = TextTokenizer.Cl100kBase(maxTokens: 4);

        var read = TrainingDataReader.Read(host, data, new ContrastiveEmbeddingOptions(), tokenizer, CancellationToken.None);

        Assert.AreEqual(1, read.TruncatedTexts);
        Assert.HasCount(4, read.Examples[0].Query);
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
