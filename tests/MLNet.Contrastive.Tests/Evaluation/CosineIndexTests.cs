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
    public void Search_SparseAndDenseCorpora_MatchBruteForceCosine()
    {
        var random = new Random(5);
        foreach (double density in new[] { 0.05, 1.0 }) // 5% non-zero takes the sparse-row path, 100% the dense one
        {
            float[][] corpus = Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, 64)
                .Select(_ => random.NextDouble() < density ? (float)random.NextDouble() : 0f).ToArray()).ToArray();
            float[] query = Enumerable.Range(0, 64).Select(_ => (float)random.NextDouble()).ToArray();

            var hits = new CosineIndex(corpus).Search(query, 5);

            var expected = Enumerable.Range(0, corpus.Length)
                .Select(i => (Index: i, Score: CosineIndex.Cosine(query, corpus[i])))
                .OrderByDescending(x => x.Score).ThenBy(x => x.Index).Take(5).ToList();
            CollectionAssert.AreEqual(expected.Select(x => x.Index).ToList(), hits.Select(h => h.Index).ToList(), $"density {density}");
            // float32 accumulation versus double: 1e-5 is ample for 64 terms of size <= 1.
            for (int r = 0; r < 5; r++)
            {
                Assert.AreEqual(expected[r].Score, hits[r].Score, 1e-5);
            }
        }
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
