using Microsoft.ML;
using Microsoft.ML.Data;

// Deliberately outside MLNet.Contrastive.*: `using Microsoft.ML;` alone must find the catalog, as for ML.NET's own.
namespace CatalogNamespaceCheck;

[TestClass]
public sealed class CatalogNamespaceTests
{
    [TestMethod]
    public void ContrastiveEmbedding_IsFoundWithUsingMicrosoftMLAlone_AndDeclaresItsOutput()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(new[]
        {
            new Row { Anchor = "a cat", Positive = "a kitten" }, new Row { Anchor = "a dog", Positive = "a puppy" },
            new Row { Anchor = "a car", Positive = "a truck" }, new Row { Anchor = "a tree", Positive = "a forest" },
        });

        using var model = mlContext.Transforms.ContrastiveEmbedding("Embedding", nameof(Row.Anchor), nameof(Row.Positive), embeddingDimension: 16).Fit(data);
        var type = model.GetOutputSchema(data.Schema)["Embedding"].Type as VectorDataViewType;

        Assert.AreEqual("Microsoft.ML", typeof(ContrastiveEmbeddingCatalog).Namespace);
        Assert.IsNotNull(type);
        Assert.AreEqual(16, type.Size);
        Assert.AreEqual(NumberDataViewType.Single, type.ItemType);
    }

    private sealed class Row
    {
        public string Anchor { get; set; } = string.Empty;

        public string Positive { get; set; } = string.Empty;
    }
}
