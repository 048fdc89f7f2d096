using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Contrastive.Tests.Transforms;

[TestClass]
public sealed class PipelineTests
{
    private sealed class ClusterPrediction
    {
        [ColumnName("PredictedLabel")]
        public uint Cluster { get; set; }

        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private sealed class LabelPrediction
    {
        [ColumnName("PredictedLabel")]
        public bool Predicted { get; set; }

        public float Probability { get; set; }
    }

    [TestMethod]
    public void ContrastiveEmbedding_ThenKMeans_SeparatesTheTwoTopics()
    {
        var mlContext = new MLContext(seed: 5);
        var rows = TestData.Rows(40);
        var pipeline = mlContext.Transforms.ContrastiveEmbedding("Features", "Anchor", "Positive", embeddingDimension: 64)
            .Append(mlContext.Clustering.Trainers.KMeans("Features", numberOfClusters: 2));

        var model = pipeline.Fit(TestData.View(mlContext, rows));
        var predictions = mlContext.Data.CreateEnumerable<ClusterPrediction>(
            model.Transform(TestData.View(mlContext, TestData.Rows(20, seed: 99))), reuseRowObject: false).ToList();

        Assert.HasCount(20, predictions);
        Assert.IsTrue(predictions.All(p => p.Score.Length == 2 && p.Cluster is 1 or 2));
        // Even rows are pets, odd rows markets: each topic must fall into one cluster, and the two must differ.
        var petClusters = predictions.Where((_, i) => i % 2 == 0).Select(p => p.Cluster).Distinct().ToList();
        var marketClusters = predictions.Where((_, i) => i % 2 == 1).Select(p => p.Cluster).Distinct().ToList();
        Assert.HasCount(1, petClusters);
        Assert.HasCount(1, marketClusters);
        Assert.AreNotEqual(petClusters[0], marketClusters[0]);
    }

    [TestMethod]
    public void ContrastiveEmbedding_ThenConcatenate_ThenSdca_PredictsHeldOutTopics()
    {
        var mlContext = new MLContext(seed: 5);
        var pipeline = mlContext.Transforms.ContrastiveEmbedding("Embedding", "Anchor", "Positive", embeddingDimension: 16)
            .Append(mlContext.Transforms.Concatenate("Features", "Embedding"))
            .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression("Label", "Features"));

        var model = pipeline.Fit(TestData.View(mlContext, TestData.Rows(60)));
        var heldOut = TestData.Rows(30, seed: 42);
        var predictions = mlContext.Data.CreateEnumerable<LabelPrediction>(
            model.Transform(TestData.View(mlContext, heldOut)), reuseRowObject: false).ToList();

        Assert.HasCount(30, predictions);
        Assert.IsTrue(predictions.All(p => p.Probability is >= 0f and <= 1f));
        var correct = predictions.Zip(heldOut).Count(pair => pair.First.Predicted == pair.Second.Label);
        // The topics share no word, so embeddings of the two are linearly separable; allow one miss for SDCA's
        // few iterations on 60 rows.
        Assert.IsGreaterThanOrEqualTo(29, correct, $"{correct}/30 held-out rows right");
    }
}
