using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Evaluation;

namespace MLNet.Contrastive.Tests.Evaluation;

/// <summary>The TF-IDF baseline kept sparse end to end, and separate query and document embedders.</summary>
[TestClass]
public sealed class SparseRetrievalTests
{
    private static readonly string[] Corpus =
    [
        "returns the list of items in the collection",
        "returns the dictionary of items in the collection",
        "the zebra of items in the collection",
        "removes all items from the collection",
        "opens a text file and reads all lines",
        "writes all text to a file and closes it",
        "parses a string into a 32-bit integer",
        "converts the value of this instance to a string",
        "gets the current date and time on this computer",
        "sorts the elements of an array in place",
        "copies a range of elements from one array to another",
        "determines whether the collection contains an item",
    ];

    private static readonly string[] Queries =
    [
        "read lines of a file", "current time", "sort an array", "remove every item", "parse integer from text", "zebra items",
    ];

    private static readonly IReadOnlyCollection<int>[] Relevant = [[4], [8], [9], [3], [6], [2]];

    [TestMethod]
    public void EmbedSparse_SmallCorpus_SameScoresRankingsAndMetricsAsDense()
    {
        var baseline = TfIdfBaseline.Fit(new MLContext(seed: 1), [.. Corpus, .. Queries]);
        var dataset = new RetrievalDataset(Queries, Corpus, Relevant);

        var denseHits = new CosineIndex(baseline.Embed(Corpus)).Search(baseline.Embed(Queries), 12);
        var sparseHits = new CosineIndex(baseline.EmbedSparse(Corpus)).Search(baseline.EmbedSparse(Queries), 12);
        var dense = RetrievalEvaluator.Evaluate(dataset, baseline.Embed);
        var sparse = RetrievalEvaluator.Evaluate(dataset, baseline.EmbedSparse);

        // The same float arithmetic in the same order: exactly equal, not merely close.
        for (var q = 0; q < Queries.Length; q++)
        {
            CollectionAssert.AreEqual(denseHits[q].ToArray(), sparseHits[q].ToArray(), $"query {q}");
        }

        Assert.AreEqual(dense.RecallAt1, sparse.RecallAt1);
        Assert.AreEqual(dense.RecallAt5, sparse.RecallAt5);
        Assert.AreEqual(dense.MrrAt10, sparse.MrrAt10);
        Assert.AreEqual(dense.NdcgAt10, sparse.NdcgAt10);
        Assert.IsGreaterThan(0.5, sparse.RecallAt1, "TF-IDF finds most of these lexical matches");
    }

    [TestMethod]
    public void EmbedSparse_StoresOnlyNonZeros_AndTheIndexMemoryFollowsThem()
    {
        var baseline = TfIdfBaseline.Fit(new MLContext(seed: 1), [.. Corpus, .. Queries]);
        var dense = baseline.Embed(Corpus);
        var sparse = baseline.EmbedSparse(Corpus);

        long nonZeros = 0;
        for (var i = 0; i < Corpus.Length; i++)
        {
            var values = sparse[i].GetValues().ToArray();
            Assert.AreEqual(baseline.Dimension, sparse[i].Length);
            Assert.AreEqual(dense[i].Count(v => v != 0), values.Length, $"text {i}: one stored value per non-zero");
            Assert.IsTrue(values.All(v => v != 0));
            nonZeros += values.Length;
        }

        // Measured: 668 non-zeros in 12 x 426 (13%) on this tiny corpus; a real corpus's vectors are far sparser.
        Assert.IsLessThan(Corpus.Length * (long)baseline.Dimension / 4, nonZeros, "TF-IDF vectors are mostly zeros");
        var before = GC.GetAllocatedBytesForCurrentThread();
        var index = new CosineIndex(sparse);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Three arrays (row starts, columns, values) plus object headers; a dense copy would take 4 x count x length bytes.
        var bound = (8 * nonZeros) + (4 * (Corpus.Length + 1)) + 1024;
        Assert.AreEqual(Corpus.Length, index.Count);
        Assert.IsLessThanOrEqualTo(bound, allocated, $"{allocated} bytes for {nonZeros} non-zeros; dense: {4L * Corpus.Length * baseline.Dimension}");
    }

    [TestMethod]
    public void Evaluate_SeparateEmbedders_EachSeesOnlyItsSide()
    {
        // A query prefix, as snowflake-arctic-embed wants: the query side sees it, the documents never do.
        const string prefix = "Represent this sentence for searching relevant passages: ";
        var baseline = TfIdfBaseline.Fit(new MLContext(seed: 1), [.. Corpus, .. Queries]);
        var dataset = new RetrievalDataset(Queries, Corpus, Relevant);
        IReadOnlyList<string>? seenByQueries = null, seenByDocuments = null;

        var metrics = RetrievalEvaluator.Evaluate(
            dataset,
            texts =>
            {
                seenByQueries = texts;
                return baseline.Embed(texts.Select(t => prefix + t).ToArray());
            },
            texts =>
            {
                seenByDocuments = texts;
                return baseline.Embed(texts);
            });

        CollectionAssert.AreEqual(Queries, seenByQueries!.ToArray());
        CollectionAssert.AreEqual(Corpus, seenByDocuments!.ToArray());
        var expected = RetrievalEvaluator.Evaluate(baseline.Embed(Queries.Select(t => prefix + t).ToArray()), baseline.Embed(Corpus), Relevant);
        Assert.AreEqual(expected.MrrAt10, metrics.MrrAt10);
        Assert.AreEqual(expected.RecallAt1, metrics.RecallAt1);
    }

    [TestMethod]
    public void Evaluate_DocumentEmbedderReturnsTooFew_NamesIt()
    {
        var dataset = new RetrievalDataset(Queries, Corpus, Relevant);

        var error = Assert.ThrowsExactly<ArgumentException>(() => RetrievalEvaluator.Evaluate(
            dataset, texts => texts.Select(_ => new VBuffer<float>(4, 1, [1f], [0])).ToArray(), texts => Array.Empty<VBuffer<float>>()));

        Assert.AreEqual("embedDocuments", error.ParamName);
        StringAssert.Contains(error.Message, "12 vectors");
    }
}
