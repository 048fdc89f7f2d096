using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Tests.Encoders;
using MLNet.Contrastive.Training;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Training;

[TestClass]
[DoNotParallelize]
public sealed class TrainableParametersTests
{
    private static Dictionary<string, float[]> Weights(nn.Module module) =>
        module.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().data<float>().ToArray());

    private static ContrastiveExample[] Examples(int count, int vocabulary)
    {
        var texts = TestData.Texts(count * 2, seed: 11, vocabulary: vocabulary);
        return Enumerable.Range(0, count).Select(i => new ContrastiveExample(texts[2 * i], texts[(2 * i) + 1], [])).ToArray();
    }

    private static ContrastiveTrainer.Settings Options() => new()
    {
        BatchSize = 4, Cache = new GradientCacheOptions { ChunkSize = 2 }, Epochs = 2, LearningRate = 1e-2, WarmupSteps = 0, Seed = 3,
    };

    [TestMethod]
    public void Train_FrozenEmbeddingsAndLowestLayer_StayBitIdentical_AndTheRestMoves()
    {
        using var encoder = new TransformerEncoder(TinyEncoders.Transformer() with { Dropout = 0, AttentionDropout = 0 });
        var before = Weights(encoder);
        var options = Options() with { FreezeEmbeddings = true, FrozenLayers = 1 };
        new ContrastiveTrainer(encoder, null, new InfoNceLoss(Temperature.Fixed(0.1)), options).Train(Examples(8, vocabulary: 20));
        var after = Weights(encoder);

        foreach (var (name, values) in before)
        {
            var frozen = name.StartsWith("embeddings.", StringComparison.Ordinal) || name.StartsWith("encoder.layer.0.", StringComparison.Ordinal);
            var moved = TinyEncoders.MaxAbsDiff(values, after[name]);
            if (frozen)
            {
                Assert.AreEqual(0f, moved, $"{name} is frozen and must not change");
            }
            else if (name.EndsWith(".weight", StringComparison.Ordinal) && !name.Contains("LayerNorm", StringComparison.Ordinal))
            {
                // Every trainable matrix gets a gradient (and Adam moves it by about the learning rate per step).
                Assert.IsTrue(moved > 1e-4, $"{name} is trainable but moved only {moved}");
            }
        }

        // Gradients are turned back on when training ends.
        Assert.IsTrue(encoder.parameters().All(p => p.requires_grad));
    }

    [TestMethod]
    public void Select_BiasesAndLayerNorms_TakeNoWeightDecay()
    {
        using var encoder = new TransformerEncoder(TinyEncoders.Transformer());
        var selected = TrainableParameters.Select([encoder], freezeEmbeddings: false, frozenLayers: 0);
        var names = encoder.named_parameters().ToDictionary(p => p.parameter.Handle, p => p.name);
        var noDecay = selected.NoDecay.Select(p => names[p.Handle]).ToHashSet();
        var decay = selected.Decay.Select(p => names[p.Handle]).ToHashSet();

        var expectedNoDecay = names.Values.Where(n => n.EndsWith(".bias", StringComparison.Ordinal) || n.Contains("LayerNorm", StringComparison.Ordinal)).ToHashSet();
        Assert.IsTrue(expectedNoDecay.SetEquals(noDecay), string.Join(", ", noDecay));
        Assert.IsTrue(names.Values.Except(expectedNoDecay).ToHashSet().SetEquals(decay), string.Join(", ", decay));
        CollectionAssert.Contains(decay.ToArray(), "encoder.layer.1.attention.self.query.weight");
        CollectionAssert.Contains(noDecay.ToArray(), "embeddings.LayerNorm.weight");
        CollectionAssert.Contains(noDecay.ToArray(), "encoder.layer.0.intermediate.dense.bias");
    }

    [TestMethod]
    public void Train_TooManyFrozenLayers_IsAnErrorNamingTheOption()
    {
        using var encoder = new TransformerEncoder(TinyEncoders.Transformer());
        var options = Options() with { FrozenLayers = 3 };
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            new ContrastiveTrainer(encoder, null, new InfoNceLoss(Temperature.Fixed(0.1)), options).Train(Examples(4, vocabulary: 20)));
        Assert.AreEqual("FrozenLayers", error.ParamName);
        StringAssert.Contains(error.Message, "2 Transformer layers");
        Assert.IsTrue(encoder.parameters().All(p => p.requires_grad), "a refused run freezes nothing");
    }

    [TestMethod]
    public void Train_FreezingEverything_IsRefused()
    {
        using var encoder = new StaticEncoder(TinyEncoders.Static() with { OutputDimension = null });
        var options = Options() with { FreezeEmbeddings = true };
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            new ContrastiveTrainer(encoder, null, new InfoNceLoss(Temperature.Fixed(0.1)), options).Train(Examples(4, vocabulary: 20)));
        Assert.AreEqual("FreezeEmbeddings", error.ParamName);
        StringAssert.Contains(error.Message, "nothing would be trained");
    }
}
