using MLNet.Contrastive.Evaluation;

namespace MLNet.Contrastive.Tests.Evaluation;

[TestClass]
public sealed class CosineIndexTests
{
    [TestMethod]
    public void Search_ReturnsTopKByCosine_IgnoringVectorLength_TiesByIndex()
    {
        // Cosines with (1,0): d0 = 0, d1 = 1 (length 5 must not matter), d2 = 0.6, d3 = 1, d4 = -1.
        var index = new CosineIndex([[0, 2], [5, 0], [3, 4], [1, 0], [-1, 0]]);

        var hits = index.Search([2f, 0f], 3);

        CollectionAssert.AreEqual(new[] { 1, 3, 2 }, hits.Select(h => h.Index).ToArray());
        // float32 normalisation and dot products: 1e-6 covers their rounding.
        Assert.AreEqual(1f, hits[0].Score, 1e-6f);
        Assert.AreEqual(0.6f, hits[2].Score, 1e-6f);
    }

    [TestMethod]
    public void Search_KLargerThanCorpus_ReturnsWholeCorpusSorted()
    {
        var index = new CosineIndex([[0, 1], [1, 0]]);
        var hits = index.Search([[1f, 0f]], 10)[0];
        CollectionAssert.AreEqual(new[] { 1, 0 }, hits.Select(h => h.Index).ToArray());
    }

    [TestMethod]
    public void Search_WrongQueryLength_ThrowsNamingExpectedLength()
    {
        var index = new CosineIndex([[0, 1, 0]]);
        var error = Assert.ThrowsExactly<ArgumentException>(() => index.Search([1f, 0f], 1));
        Assert.AreEqual("query", error.ParamName);
        StringAssert.Contains(error.Message, "expected 3");
    }

    [TestMethod]
    public void Constructor_NaNInCorpus_Throws()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new CosineIndex([[0, 1], [float.NaN, 0]]));
        StringAssert.Contains(error.Message, "Vector 1");
    }
}
