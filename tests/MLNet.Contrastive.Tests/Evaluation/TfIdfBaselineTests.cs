using Microsoft.ML;
using MLNet.Contrastive.Evaluation;

namespace MLNet.Contrastive.Tests.Evaluation;

[TestClass]
public sealed class TfIdfBaselineTests
{
    // Cosines of L2-normalised float32 vectors: 1e-5 covers the rounding.
    private const double Tolerance = 1e-5;

    private static readonly string[] Corpus =
    [
        "returns the list of items in the collection",
        "returns the dictionary of items in the collection",
        "the zebra of items in the collection",
        "removes all items from the collection",
    ];

    [TestMethod]
    public void Embed_IdenticalTexts_HaveCosineOne()
    {
        var baseline = TfIdfBaseline.Fit(new MLContext(seed: 1), Corpus);
        var vectors = baseline.Embed(["returns the list of items", "returns the list of items"]);

        Assert.AreEqual(baseline.Dimension, vectors[0].Length);
        Assert.IsTrue(vectors[0].Any(v => v != 0), "the text has known n-grams, so its vector is not zero");
        Assert.AreEqual(1.0, CosineIndex.Cosine(vectors[0], vectors[1]), Tolerance);
    }

    [TestMethod]
    public void Embed_DisjointVocabularies_HaveCosineZero()
    {
        // No shared word and no shared character: no shared word or character n-gram either.
        string[] texts = ["alpha beta", "xyz quux"];
        var baseline = TfIdfBaseline.Fit(new MLContext(seed: 1), [.. texts, .. Corpus]);
        var vectors = baseline.Embed(texts);

        Assert.IsTrue(vectors[0].Any(v => v != 0) && vectors[1].Any(v => v != 0));
        Assert.AreEqual(0.0, CosineIndex.Cosine(vectors[0], vectors[1]), Tolerance);
    }

    [TestMethod]
    public void Search_QueryRetrievesDocumentSharingItsRareWord()
    {
        // "returns" is in two documents, "zebra" in one: IDF must make "zebra" decide.
        const string query = "returns zebra";
        var baseline = TfIdfBaseline.Fit(new MLContext(seed: 1), [.. Corpus, query]);
        var index = new CosineIndex(baseline.Embed(Corpus));

        var hits = index.Search(baseline.Embed(query), 4);

        Assert.AreEqual(2, hits[0].Index);
        Assert.IsTrue(hits[0].Score > hits[1].Score, "a strict win, not a tie");
    }

    [TestMethod]
    public void Fit_EmptyTexts_Throws()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => TfIdfBaseline.Fit(new MLContext(seed: 1), []));
        Assert.AreEqual("texts", error.ParamName);
    }
}
