using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Training;

namespace MLNet.Contrastive.Tests.Training;

/// <summary>Settings of <see cref="ContrastiveTrainer.Settings"/> that reach the gradient cache, and their checks.</summary>
[TestClass]
public sealed class TrainerSettingsTests
{
    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void Train_TrimNativeHeap_ReachesTheGradientCache(bool trim)
    {
        using var encoder = new TinyEncoder(seed: 1);
        var texts = TestData.Texts(8, seed: 2);
        var examples = Enumerable.Range(0, 4).Select(i => new ContrastiveExample(texts[2 * i], texts[(2 * i) + 1], [])).ToArray();
        var trims = 0;
        var settings = new ContrastiveTrainer.Settings
        {
            BatchSize = 4, Epochs = 1, Cache = new GradientCacheOptions { ChunkSize = 2, TrimNativeHeap = trim, TrimHeap = () => trims++ },
        };

        new ContrastiveTrainer(encoder, null, new InfoNceLoss(Temperature.Fixed(0.1)), settings).Train(examples);

        // One step: 2 query and 2 document chunks, each trimmed after its no-grad pass and after its backward pass.
        Assert.AreEqual(trim ? 8 : 0, trims);
    }

    [TestMethod]
    public void Constructor_InvalidSetting_NamesItByItsOptionName()
    {
        using var encoder = new TinyEncoder(seed: 1);
        var loss = new InfoNceLoss(Temperature.Fixed(0.1));
        string ParamNameOf(ContrastiveTrainer.Settings settings) =>
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ContrastiveTrainer(encoder, null, loss, settings)).ParamName!;

        Assert.AreEqual("BatchSize", ParamNameOf(new() { BatchSize = 1 }));
        Assert.AreEqual("Epochs", ParamNameOf(new() { Epochs = -1 }));
        Assert.AreEqual("LearningRate", ParamNameOf(new() { LearningRate = double.PositiveInfinity }));
        Assert.AreEqual("WeightDecay", ParamNameOf(new() { WeightDecay = -1 }));
        Assert.AreEqual("WarmupRatio", ParamNameOf(new() { WarmupRatio = 1 }));
        Assert.AreEqual("MaxGradientNorm", ParamNameOf(new() { MaxGradientNorm = 0 }));
        Assert.AreEqual("FrozenLayers", ParamNameOf(new() { FrozenLayers = -1 }));
    }
}
