using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Contrastive.Tests.Interop.HuggingFace;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Transforms;

/// <summary><see cref="ContrastiveEmbeddingOptions.GuidedNegativeFiltering"/> through the estimator, from a tiny checkpoint.</summary>
[TestClass]
public sealed class GuidedFilteringFitTests
{
    private string directory = string.Empty;

    [TestInitialize]
    public void WriteCheckpoint()
    {
        directory = Directory.CreateTempSubdirectory("guide-").FullName;
        TinyBertFolder.Write(directory);
    }

    [TestCleanup]
    public void DeleteCheckpoint() => Directory.Delete(directory, recursive: true);

    [TestMethod]
    public void Fit_Guided_MasksSomethingDeterministically_AndSaysWhatItEmbedded()
    {
        var (plain, _) = Fit(o => { });
        var (guided, log) = Fit(o => o.GuidedNegativeFiltering = true);
        var (again, _) = Fit(o => o.GuidedNegativeFiltering = true);

        Assert.IsTrue(log.Any(m => m.Contains("Guide (the starting checkpoint): embedded 12 distinct training texts", StringComparison.Ordinal)), string.Join("\n", log));
        CollectionAssert.AreEqual(guided, again, "the same guide masks the same candidates: bit-identical");
        Assert.IsFalse(plain.SequenceEqual(guided), "the guide masked some candidates, so the weights differ");
    }

    [TestMethod]
    public void Options_BadGuideSettings_AreRefusedNamingTheOption()
    {
        var scratch = TestData.Options();
        scratch.GuidedNegativeFiltering = true;
        Assert.AreEqual("GuideModelPath", Assert.Throws<ArgumentException>(() => new MLContext().Transforms.ContrastiveEmbedding(scratch)).ParamName,
            "from scratch there is no starting checkpoint to guide");

        Assert.AreEqual("GuideMargin", Assert.Throws<ArgumentException>(() => new MLContext().Transforms.ContrastiveEmbedding(Options(o =>
        {
            o.GuidedNegativeFiltering = true;
            o.GuideMargin = -0.1;
        }))).ParamName);
        Assert.AreEqual("GuideModelPath", Assert.Throws<ArgumentException>(() => new MLContext().Transforms.ContrastiveEmbedding(Options(o => o.GuideModelPath = directory))).ParamName,
            "a guide path without the option on");
    }

    [TestMethod]
    public void Fit_GuideThatTokenizesOtherwise_RefusedBeforeAnyRowIsRead()
    {
        var other = Directory.CreateTempSubdirectory("guide-other-").FullName;
        try
        {
            TinyBertFolder.Write(other, vocabulary: [.. Text.TestVocabulary.Tokens[..19], "planet"]);
            var mlContext = new MLContext(seed: 1);
            var estimator = mlContext.Transforms.ContrastiveEmbedding(Options(o =>
            {
                o.GuidedNegativeFiltering = true;
                o.GuideModelPath = other;
            }));

            var error = Assert.ThrowsExactly<ArgumentException>(() => estimator.Fit(new TripwireDataView(TestData.View(mlContext, TestData.Rows(6)))));

            Assert.AreEqual("GuideModelPath", error.ParamName);
            StringAssert.Contains(error.Message, other);
            StringAssert.Contains(error.Message, "cannot judge the training texts");
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }

    private ContrastiveEmbeddingOptions Options(Action<ContrastiveEmbeddingOptions> change)
    {
        var options = new ContrastiveEmbeddingOptions
        {
            AnchorColumnName = nameof(PairRow.Anchor), PositiveColumnName = nameof(PairRow.Positive),
            PretrainedModelPath = directory, Epochs = 2, BatchSize = 6, Seed = 7, LearningRate = 1e-3,
        };
        change(options);
        return options;
    }

    private (float[] Weights, List<string> Log) Fit(Action<ContrastiveEmbeddingOptions> change)
    {
        var mlContext = new MLContext(seed: 1);
        var log = new List<string>();
        mlContext.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Info)
            {
                log.Add(e.Message);
            }
        };
        // Positives unlike their anchors, so that the (untrained) guide ranks other rows' documents above some of them.
        string[] texts = ["the cat sat", "the dog sat", "a big red dog", "hello world", "the mat", "dogs running"];
        var rows = texts.Select((t, i) => new PairRow { Anchor = t, Positive = texts[(i + 3) % texts.Length] + " .", Id = i });
        using var transformer = mlContext.Transforms.ContrastiveEmbedding(Options(change)).Fit(TestData.View(mlContext, rows));
        return (transformer.Model.Encoder.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray(), log);
    }
}
