using Microsoft.ML;
using MLNet.Contrastive.Tests.Interop.HuggingFace;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Transforms;

/// <summary>The fine-tuning options reach the trainer: the pretrained default learning rate, freezing, and their validation.</summary>
[TestClass]
[DoNotParallelize]
public sealed class FineTuningOptionsTests
{
    private static string directory = string.Empty;
    private static Dictionary<string, float[]> initial = new();

    [ClassInitialize]
    public static void WriteTinyCheckpoint(TestContext context)
    {
        _ = context;
        directory = Directory.CreateTempSubdirectory("bert-finetune-").FullName;
        initial = TinyBertFolder.Write(directory, prefix: "bert.");
    }

    [ClassCleanup]
    public static void DeleteTinyCheckpoint() => Directory.Delete(directory, recursive: true);

    [TestMethod]
    public void Fit_PretrainedStartWithoutLearningRate_Uses2e5()
    {
        var byDefault = Weights(Fit(o => o.LearningRate = null));
        var explicit2e5 = Weights(Fit(o => o.LearningRate = 2e-5));
        var fromScratchRate = Weights(Fit(o => o.LearningRate = 1e-3));

        // Same seed, data and schedule: the default run must be bit-identical to the explicit 2e-5 run, and differ from 1e-3.
        foreach (var (name, values) in byDefault)
        {
            CollectionAssert.AreEqual(explicit2e5[name], values, name);
        }

        Assert.IsTrue(byDefault.Any(p => !p.Value.SequenceEqual(fromScratchRate[p.Key])), "1e-3 must train differently from the default");
        Assert.IsTrue(byDefault.Any(p => !p.Value.SequenceEqual(initial[p.Key])), "the default rate must change some weight");
    }

    [TestMethod]
    public void Fit_FreezeEmbeddingsAndOneLayer_KeepsThoseWeightsBitIdentical()
    {
        var trained = Weights(Fit(o =>
        {
            o.FreezeEmbeddings = true;
            o.FrozenLayers = 1;
            o.LearningRate = 1e-3; // large enough that every trainable weight moves in one step
        }));

        var frozen = trained.Keys.Where(n => n.StartsWith("embeddings.", StringComparison.Ordinal) || n.StartsWith("encoder.layer.0.", StringComparison.Ordinal)).ToArray();
        var upper = trained.Keys.Where(n => n.StartsWith("encoder.layer.1.", StringComparison.Ordinal)).ToArray();
        Assert.IsNotEmpty(frozen);
        Assert.IsNotEmpty(upper);
        foreach (var name in frozen)
        {
            CollectionAssert.AreEqual(initial[name], trained[name], name);
        }

        foreach (var name in upper.Where(n => n.EndsWith(".weight", StringComparison.Ordinal) && !n.Contains("LayerNorm", StringComparison.Ordinal)))
        {
            Assert.IsFalse(initial[name].SequenceEqual(trained[name]), $"{name} is trainable and must change");
        }
    }

    [TestMethod]
    public void Constructor_NegativeFrozenLayers_ThrowsNamingTheOption()
    {
        var mlContext = new MLContext(seed: 1);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Transforms.ContrastiveEmbedding(Options(o => o.FrozenLayers = -1)));
        Assert.AreEqual(nameof(ContrastiveEmbeddingOptions.FrozenLayers), e.ParamName);
    }

    [TestMethod]
    public void Constructor_FrozenLayersOnTheStaticEncoder_ThrowsNamingTheOption()
    {
        var mlContext = new MLContext(seed: 1);
        var options = new ContrastiveEmbeddingOptions { AnchorColumnName = nameof(PairRow.Anchor), PositiveColumnName = nameof(PairRow.Positive), FrozenLayers = 1 };
        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.ContrastiveEmbedding(options));
        Assert.AreEqual(nameof(ContrastiveEmbeddingOptions.FrozenLayers), e.ParamName);
    }

    [TestMethod]
    public void Fit_MoreFrozenLayersThanTheCheckpointHas_ThrowsNamingTheOption()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Fit(o => o.FrozenLayers = 3));
        StringAssert.Contains(e.ParamName, nameof(ContrastiveEmbeddingOptions.FrozenLayers));
        StringAssert.Contains(e.Message, "2 Transformer layers");
    }

    [TestMethod]
    public void Constructor_NegativeWeightDecay_ThrowsNamingTheOption()
    {
        var mlContext = new MLContext(seed: 1);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Transforms.ContrastiveEmbedding(Options(o => o.WeightDecay = -0.1)));
        Assert.AreEqual(nameof(ContrastiveEmbeddingOptions.WeightDecay), e.ParamName);
    }

    private static ContrastiveEmbeddingOptions Options(Action<ContrastiveEmbeddingOptions> change)
    {
        var options = new ContrastiveEmbeddingOptions
        {
            AnchorColumnName = nameof(PairRow.Anchor), PositiveColumnName = nameof(PairRow.Positive),
            PretrainedModelPath = directory, EmbeddingDimension = 16, Epochs = 1, Seed = 7,
        };
        change(options);
        return options;
    }

    private static ContrastiveEmbeddingTransformer Fit(Action<ContrastiveEmbeddingOptions> change)
    {
        var mlContext = new MLContext(seed: 1);
        var rows = new[] { "the cat sat", "the dog sat", "a big red dog", "hello world", "the mat", "dogs running" }
            .Select((t, i) => new PairRow { Anchor = t, Positive = t + " .", Id = i });
        return mlContext.Transforms.ContrastiveEmbedding(Options(change)).Fit(TestData.View(mlContext, rows));
    }

    private static Dictionary<string, float[]> Weights(ContrastiveEmbeddingTransformer transformer)
    {
        using (transformer)
        {
            return transformer.Model.Encoder.state_dict().ToDictionary(p => p.Key, p => p.Value.data<float>().ToArray());
        }
    }
}
