using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Transforms;

[TestClass]
public sealed class SchemaTests
{
    private sealed class FloatAnchorRow
    {
        public float Anchor { get; set; }

        public string Positive { get; set; } = "x";

        public string Negative { get; set; } = "y";

        public float Group { get; set; }
    }

    [TestMethod]
    public void GetOutputSchema_OnSchemaShape_AddsKnownSizeSingleVector()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.View(mlContext, TestData.Rows(4));
        var estimator = mlContext.Transforms.ContrastiveEmbedding("Vec", nameof(PairRow.Anchor), nameof(PairRow.Positive), embeddingDimension: 12);

        var shape = estimator.GetOutputSchema(SchemaShapes.From(data.Schema));

        var column = shape.Single(c => c.Name == "Vec");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, column.Kind);
        Assert.AreEqual(NumberDataViewType.Single, column.ItemType);
        Assert.IsTrue(shape.Any(c => c.Name == nameof(PairRow.Id)), "input columns pass through");
    }

    [TestMethod]
    public void Transformer_OutputSchema_IsVectorOfSingleWithDimension()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.View(mlContext, TestData.Rows(4));
        using var transformer = TestData.Fit(mlContext, data, dimension: 12);

        var fromSchema = transformer.GetOutputSchema(data.Schema)["Embedding"].Type;
        var fromView = transformer.Transform(data).Schema["Embedding"].Type;

        foreach (var type in new[] { fromSchema, fromView })
        {
            var vector = type as VectorDataViewType;
            Assert.IsNotNull(vector, $"expected a vector type, got {type}");
            Assert.AreEqual(NumberDataViewType.Single, vector.ItemType);
            Assert.AreEqual(12, vector.Size);
        }

        Assert.AreEqual(12, TestData.Vectors(transformer.Transform(data))[0].Length);
    }

    [TestMethod]
    [DataRow("anchor", "Anchor")]
    [DataRow("positive", "Positive")]
    [DataRow("negative", "Negative")]
    public void Fit_WrongTextColumnType_NamesColumnExpectedAndActualType(string role, string column)
    {
        var mlContext = new MLContext(seed: 1);
        // Every column of FloatAnchorRow is a string except Anchor and Group: swap which one is the float by
        // pointing the option for `role` at the float column named Anchor.
        var data = mlContext.Data.LoadFromEnumerable(new[] { new FloatAnchorRow() });
        var options = new ContrastiveEmbeddingOptions
        {
            AnchorColumnName = role == "anchor" ? "Anchor" : "Positive",
            PositiveColumnName = role == "positive" ? "Anchor" : "Positive",
            NegativeColumnNames = role == "negative" ? new[] { "Anchor" } : Array.Empty<string>(),
            Columns = new[] { new InputOutputColumnPair("E", "Positive") },
        };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => mlContext.Transforms.ContrastiveEmbedding(options).Fit(data));

        StringAssert.Contains(error.Message, "'Anchor'");
        StringAssert.Contains(error.Message, role);
        StringAssert.Contains(error.Message, "expected String");
        StringAssert.Contains(error.Message, "got Single");
        _ = column;
    }

    [TestMethod]
    public void Fit_WrongGroupColumnType_NamesColumnAndTypes()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(new[] { new FloatAnchorRow() });
        var options = new ContrastiveEmbeddingOptions
        {
            AnchorColumnName = "Positive",
            PositiveColumnName = "Negative",
            GroupColumnName = "Group",
        };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => mlContext.Transforms.ContrastiveEmbedding(options).Fit(data));

        StringAssert.Contains(error.Message, "'Group'");
        StringAssert.Contains(error.Message, "got Single");
    }

    [TestMethod]
    [DataRow("anchor")]
    [DataRow("positive")]
    [DataRow("negative")]
    [DataRow("group")]
    [DataRow("input")]
    public void Fit_MissingColumn_NamesIt(string role)
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.View(mlContext, TestData.Rows(4));
        var options = TestData.Options();
        switch (role)
        {
            case "anchor": options.AnchorColumnName = "NoSuchColumn"; options.Columns = new[] { new InputOutputColumnPair("E", "Positive") }; break;
            case "positive": options.PositiveColumnName = "NoSuchColumn"; break;
            case "negative": options.NegativeColumnNames = new[] { "NoSuchColumn" }; break;
            case "group": options.GroupColumnName = "NoSuchColumn"; break;
            default: options.Columns = new[] { new InputOutputColumnPair("E", "NoSuchColumn") }; break;
        }

        var estimator = mlContext.Transforms.ContrastiveEmbedding(options);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        var shapeError = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(SchemaShapes.From(data.Schema)));

        foreach (var message in new[] { error.Message, shapeError.Message })
        {
            StringAssert.Contains(message, "'NoSuchColumn'");
            StringAssert.Contains(message, role);
        }
    }

    [TestMethod]
    public void Transform_InputColumnMissing_NamesIt()
    {
        var mlContext = new MLContext(seed: 1);
        using var transformer = TestData.Fit(mlContext, TestData.View(mlContext, TestData.Rows(4)));
        var other = mlContext.Data.LoadFromEnumerable(new[] { new { Text = "x" } });

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => transformer.Transform(other));

        StringAssert.Contains(error.Message, "'Anchor'");
    }

    [TestMethod]
    [DataRow(null)]
    [DataRow("")]
    public void Fit_MissingText_NamesColumnAndRow(string? text)
    {
        var mlContext = new MLContext(seed: 1);
        var rows = TestData.Rows(6);
        rows[3].Positive = text;

        var error = Assert.Throws<InvalidOperationException>(() => TestData.Fit(mlContext, TestData.View(mlContext, rows)));

        StringAssert.Contains(error.Message, "Row 3");
        StringAssert.Contains(error.Message, "'Positive'");
    }

    [TestMethod]
    public void Options_Invalid_ThrowsNamingTheOption()
    {
        var mlContext = new MLContext(seed: 1);
        var options = TestData.Options();
        options.Heads = 3; // does not divide Width = 128

        var error = Assert.Throws<ArgumentException>(() => mlContext.Transforms.ContrastiveEmbedding(options));

        Assert.AreEqual("Heads", error.ParamName);
    }
}
