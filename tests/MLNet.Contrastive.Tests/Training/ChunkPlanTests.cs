using MLNet.Contrastive.Training;

namespace MLNet.Contrastive.Tests.Training;

[TestClass]
public sealed class ChunkPlanTests
{
    [TestMethod]
    public void Create_LongTexts_ChunksCutToTheAutogradBudget()
    {
        // 4 heads x 2 layers: a text of 4096 tokens keeps 8 x 4096^2 = 2^27 scores, so two fit the 2^28 budget.
        var texts = Enumerable.Range(0, 10).Select(i => new int[i < 5 ? 4096 : 16]).ToArray();

        var plan = ChunkPlan.Create(texts, chunkSize: 32, sortByLength: true, scoresPerSquaredLength: 8);

        CollectionAssert.AreEqual(new[] { 5, 2, 2, 1 }, plan.Chunks.Select(c => c.Length).ToArray());
        Assert.AreEqual(5L * 4096 + 5 * 16, plan.Tokens);
    }
}
