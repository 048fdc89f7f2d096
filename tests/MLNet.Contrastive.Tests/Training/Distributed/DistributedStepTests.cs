using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Training;
using MLNet.Contrastive.Training.Distributed;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Training.Distributed;

/// <summary>The data-parallel building blocks in one process (no MPI library needed).</summary>
[TestClass]
public sealed class DistributedStepTests
{
    [TestMethod]
    public void Step_OneRank_EqualsGradientCacheStepExactly()
    {
        using var scope = NewDisposeScope();
        using var encoder = new TinyEncoder(seed: 1, dropoutProbability: 0.2);
        encoder.train();
        var loss = LossSpec.Create(LossKind.SymmetricInfoNce, Temperature.Learnable(0.1), rowChunkSize: 3);
        var parameters = encoder.parameters().Concat(loss.Parameters()).ToArray();
        var queries = TestData.Texts(7, seed: 10);
        var documents = TestData.Texts(14, seed: 20);
        var cache = new GradientCache(encoder, null, loss, new GradientCacheOptions { ChunkSize = 3, DocumentChunkSize = 4 });

        var distributed = new DistributedGradientCache(cache, SingleProcessCommunicator.Instance).Step(queries, documents, 1, null, step: 2);
        var distributedGradients = TestData.Gradients(parameters);
        TestData.ZeroGradients(parameters);
        var single = cache.Step(queries, documents, 1, null, step: 2);

        // One rank encodes every chunk with the same seeds, in the same order: the same bits.
        Assert.AreEqual(single.Loss, distributed.Loss);
        Assert.AreEqual(0.0, TestData.RelativeError(distributedGradients, TestData.Gradients(parameters)));
        Assert.AreEqual(single.QueryChunks, distributed.QueryChunks);
    }

    [TestMethod]
    public void GatherOrder_RoundRobinChunks_CoversEveryRowOnce()
    {
        var texts = TestData.Texts(11, seed: 3);
        var plan = ChunkPlan.Create(texts, 2, sortByLength: true);
        var (rows, perRank) = ChunkOwnership.GatherOrder(plan, size: 3);

        CollectionAssert.AreEquivalent(Enumerable.Range(0, 11).ToArray(), rows);
        CollectionAssert.AreEqual(new[] { 4, 4, 3 }, perRank, "6 chunks (5 of 2 texts, 1 of 1) dealt to 3 ranks");
        CollectionAssert.AreEqual(new[] { 1, 4 }, ChunkOwnership.Owned(6, rank: 1, size: 3));
    }

    [TestMethod]
    public void AllGather_CountsDisagreeWithLocalValues_ThrowsNamingTheRank()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => SingleProcessCommunicator.Instance.AllGather(new float[3], [2]));
        StringAssert.Contains(error.Message, "counts[0] is 2");
        Assert.ThrowsExactly<ArgumentException>(() => SingleProcessCommunicator.Instance.AllGather(new float[2], [2, 2]));
        CollectionAssert.AreEqual(new float[] { 1, 2 }, SingleProcessCommunicator.Instance.AllGather([1, 2], [2]));
    }
}
