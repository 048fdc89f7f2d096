using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Runtime;
using MLNet.Contrastive.Training;

namespace MLNet.Contrastive.Tests.Training;

/// <summary>Options of <see cref="ContrastiveTrainerOptions"/> that reach the gradient cache and libtorch.</summary>
[TestClass]
public sealed class TrainerOptionsPassThroughTests
{
    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void Train_TrimNativeHeap_ReachesTheGradientCache(bool trim)
    {
        using var encoder = new TinyEncoder(seed: 1);
        var texts = TestData.Texts(8, seed: 2);
        var examples = Enumerable.Range(0, 4).Select(i => new ContrastiveExample(texts[2 * i], texts[(2 * i) + 1], [])).ToArray();
        var options = new ContrastiveTrainerOptions { BatchSize = 4, QueryChunkSize = 2, DocumentChunkSize = 2, Epochs = 1, TrimNativeHeap = trim };
        var before = NativeHeap.Calls;

        new ContrastiveTrainer(encoder, null, new InfoNceLoss(Temperature.Fixed(0.1)), options).Train(examples);

        // One step: 2 query and 2 document chunks, each trimmed after its no-grad pass and after its backward pass.
        Assert.AreEqual(trim ? 8 : 0, NativeHeap.Calls - before);
    }

    [TestMethod]
    public void Train_IntraOpThreads_SetsLibtorchsPool()
    {
        var before = TorchRuntime.IntraOpThreads;
        try
        {
            using var encoder = new TinyEncoder(seed: 1);
            var texts = TestData.Texts(4, seed: 2);
            var examples = new[] { new ContrastiveExample(texts[0], texts[1], []), new ContrastiveExample(texts[2], texts[3], []) };
            var options = new ContrastiveTrainerOptions { BatchSize = 2, Epochs = 1, IntraOpThreads = 1 };

            new ContrastiveTrainer(encoder, null, new InfoNceLoss(Temperature.Fixed(0.1)), options).Train(examples);

            Assert.AreEqual(1, TorchRuntime.IntraOpThreads);
        }
        finally
        {
            TorchRuntime.SetIntraOpThreads(before);
        }
    }

    [TestMethod]
    public void Constructor_ZeroThreads_NamesTheOption()
    {
        using var encoder = new TinyEncoder(seed: 1);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            new ContrastiveTrainer(encoder, null, new InfoNceLoss(Temperature.Fixed(0.1)), new ContrastiveTrainerOptions { IntraOpThreads = 0 }));
        Assert.AreEqual("options.IntraOpThreads", error.ParamName);
    }
}
