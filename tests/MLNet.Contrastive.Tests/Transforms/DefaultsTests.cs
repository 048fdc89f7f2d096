using Microsoft.ML;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Tests.Interop.HuggingFace;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Transforms;

/// <summary>The options' defaults are the CPU recipe of docs/getting-started.md and docs/experiments.md.</summary>
[TestClass]
public sealed class DefaultsTests
{
    [TestMethod]
    public void Defaults_AreTheDocumentedCpuRecipe()
    {
        var options = new ContrastiveEmbeddingOptions();

        Assert.AreEqual(EncoderKind.Static, options.EncoderKind);
        Assert.AreEqual(512, options.BatchSize);
        Assert.AreEqual(64, options.ChunkSize);
        Assert.AreEqual(3, options.Epochs);
        Assert.IsNull(options.LearningRate, "null: 1e-3 from scratch, 2e-5 from a pretrained model (FineTuningOptionsTests)");
        Assert.AreEqual(0.01, options.WeightDecay);
        Assert.IsFalse(options.FreezeEmbeddings);
        Assert.AreEqual(0, options.FrozenLayers);
        Assert.AreEqual(0.1, options.WarmupRatio);
        Assert.AreEqual(LossKind.InfoNce, options.Loss);
        Assert.AreEqual(0.05f, options.Temperature);
        Assert.AreEqual(128, options.Width);
        Assert.IsNull(options.Pooling, "null: mean from scratch, the checkpoint's own pooling for a pretrained model");
        Assert.IsTrue(options.CompactVocabulary);
        Assert.AreEqual(64, options.TransformBatchSize);
        Assert.IsNull(options.IntraOpThreads);
    }

    [TestMethod]
    public void PretrainedCheckpointDirectory_IsTheOlderNameOfPretrainedModelPath()
    {
#pragma warning disable CS0618 // The obsolete alias is what this test is about.
        var options = new ContrastiveEmbeddingOptions { PretrainedCheckpointDirectory = "all-MiniLM-L6-v2" };
        Assert.AreEqual("all-MiniLM-L6-v2", options.PretrainedModelPath);
        options.PretrainedModelPath = "other";
        Assert.AreEqual("other", options.PretrainedCheckpointDirectory);
#pragma warning restore CS0618
    }

    [TestMethod]
    public void Fit_Defaults_TrainsTheStaticEncoderForThreeEpochs()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.View(mlContext, TestData.Rows(24));

        using var transformer = mlContext.Transforms.ContrastiveEmbedding("Embedding", nameof(PairRow.Anchor), nameof(PairRow.Positive)).Fit(data);

        Assert.IsInstanceOfType<StaticEncoder>(transformer.Model.Encoder);
        // 24 rows, batch min(512, 24) = 24: one step per epoch, 3 epochs.
        Assert.AreEqual(3, transformer.TrainingSummary!.Steps);
    }

    [TestMethod]
    public void Fit_PretrainedCheckpoint_WithTheDefaultEncoderKind_FineTunesItsTransformer()
    {
        var directory = Directory.CreateTempSubdirectory("bert-defaults-").FullName;
        try
        {
            TinyBertFolder.Write(directory, prefix: "bert.");
            var mlContext = new MLContext(seed: 1);
            var rows = new[] { "the cat sat", "the dog sat", "a big red dog", "hello world", "the mat", "dogs running" }
                .Select((t, i) => new PairRow { Anchor = t, Positive = t + " .", Id = i });
            var options = new ContrastiveEmbeddingOptions
            {
                AnchorColumnName = nameof(PairRow.Anchor), PositiveColumnName = nameof(PairRow.Positive),
                PretrainedModelPath = directory, EmbeddingDimension = 16, Epochs = 1, LearningRate = 5e-5,
            };

            using var transformer = mlContext.Transforms.ContrastiveEmbedding(options).Fit(TestData.View(mlContext, rows));

            Assert.IsInstanceOfType<TransformerEncoder>(transformer.Model.Encoder);
            Assert.AreEqual(1, transformer.TrainingSummary!.Steps);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
