using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Evaluation;

namespace MLNet.Contrastive.Tests.Evaluation;

[TestClass]
public sealed class RetrievalEvaluatorTests
{
    // Metrics are means of a few double-precision terms; 1e-9 only absorbs rounding.
    private const double Tolerance = 1e-9;

    // Five documents in 2-D. d0 and d1 are identical (a tie), d4 points the other way.
    private static readonly float[][] Corpus = [[1, 0], [1, 0], [0, 1], [1, 1], [-1, 0]];

    // q0 = (1,0):  cosines d0=1, d1=1, d3=.707, d2=0, d4=-1 -> ranking d0, d1 (tie, lower index first), d3, d2, d4.
    //              relevant {d1, d2} at ranks 2 and 4.
    //              R@1 = 0/2, R@5 = R@10 = 2/2, RR = 1/2,
    //              nDCG = (1/log2 3 + 1/log2 5) / (1 + 1/log2 3) = (0.630930 + 0.430677) / 1.630930 = 0.650921.
    // q1 = (0,1):  cosines d2=1, d3=.707, d0=d1=d4=0 -> ranking d2, d3, d0, d1, d4.
    //              relevant {d4} at rank 5: R@1 = 0, R@5 = R@10 = 1, RR = 1/5, nDCG = 1/log2 6 = 0.386853.
    // q2 = (0,-1): cosines d0=0, d1=0, d4=-0 (ties), d3=-.707, d2=-1 -> ranking d0, d1, d4, d3, d2.
    //              relevant {d0, d3, d4} at ranks 1, 4, 3: R@1 = 1/3, R@5 = R@10 = 1, RR = 1,
    //              nDCG = (1 + 1/log2 4 + 1/log2 5) / (1 + 1/log2 3 + 1/log2 4) = 1.930677 / 2.130930 = 0.906025.
    private static readonly float[][] Queries = [[1, 0], [0, 1], [0, -1]];
    private static readonly int[][] Relevant = [[1, 2], [4], [0, 3, 4]];

    [TestMethod]
    public void Evaluate_ThreeQueriesWithTiesAndSeveralRelevant_MatchesHandComputedMetrics()
    {
        var metrics = RetrievalEvaluator.Evaluate(Queries, Corpus, Relevant);

        Assert.AreEqual((0 + 0 + 1.0 / 3) / 3, metrics.RecallAt1, Tolerance);
        Assert.AreEqual(1.0, metrics.RecallAt5, Tolerance);
        Assert.AreEqual(1.0, metrics.RecallAt10, Tolerance);
        Assert.AreEqual((0.5 + 0.2 + 1.0) / 3, metrics.MrrAt10, Tolerance);
        double ndcg0 = (1 / Math.Log2(3) + 1 / Math.Log2(5)) / (1 + 1 / Math.Log2(3));
        double ndcg1 = 1 / Math.Log2(6);
        double ndcg2 = (1 + 1 / Math.Log2(4) + 1 / Math.Log2(5)) / (1 + 1 / Math.Log2(3) + 1 / Math.Log2(4));
        Assert.AreEqual((ndcg0 + ndcg1 + ndcg2) / 3, metrics.NdcgAt10, Tolerance);
        Assert.AreEqual(0.647933, metrics.NdcgAt10, 1e-6); // the hand arithmetic of the comment above
        Assert.AreEqual(3, metrics.QueryCount);
        Assert.AreEqual(5, metrics.CorpusSize);
    }

    [TestMethod]
    public void Evaluate_RelevantDocumentBelowRankTen_CountsAsMiss()
    {
        // Eleven documents: ten at cosine 1 with the query, the relevant one orthogonal, hence at rank 11.
        float[][] corpus = [.. Enumerable.Range(0, 10).Select(_ => new float[] { 1, 0 }), [0, 1]];
        var metrics = RetrievalEvaluator.Evaluate([[1f, 0f]], corpus, [[10]]);

        Assert.AreEqual(0.0, metrics.RecallAt10, Tolerance);
        Assert.AreEqual(0.0, metrics.MrrAt10, Tolerance);
        Assert.AreEqual(0.0, metrics.NdcgAt10, Tolerance);
    }

    [TestMethod]
    public void Evaluate_QueryWithoutRelevantDocument_ThrowsNamingTheQuery()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() =>
            RetrievalEvaluator.Evaluate(Queries, Corpus, [[1], [], [0]], ["first", "second", "third"]));

        Assert.AreEqual("relevantDocuments", error.ParamName);
        StringAssert.Contains(error.Message, "Query 1 ('second') has no relevant document");
    }

    [TestMethod]
    public void Evaluate_RelevantPositionOutsideCorpus_Throws()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => RetrievalEvaluator.Evaluate(Queries, Corpus, [[1], [5], [0]]));
        StringAssert.Contains(error.Message, "[0, 5)");
    }

    [TestMethod]
    public void Evaluate_DataViews_MatchesArrayOverload()
    {
        var ml = new MLContext(seed: 1);
        var queries = ml.Data.LoadFromEnumerable(Queries.Select((v, i) => new QueryRow { QueryId = $"q{i}", Embedding = v }));
        var corpus = ml.Data.LoadFromEnumerable(Corpus.Select((v, i) => new DocumentRow { DocumentId = $"d{i}", Embedding = v }));
        var judgements = ml.Data.LoadFromEnumerable(Relevant.SelectMany((docs, q) =>
            docs.Select(d => new JudgementRow { QueryId = $"q{q}", DocumentId = $"d{d}" })));

        var fromViews = RetrievalEvaluator.Evaluate(queries, corpus, judgements);
        var fromArrays = RetrievalEvaluator.Evaluate(Queries, Corpus, Relevant);

        Assert.AreEqual(fromArrays.RecallAt1, fromViews.RecallAt1, Tolerance);
        Assert.AreEqual(fromArrays.MrrAt10, fromViews.MrrAt10, Tolerance);
        Assert.AreEqual(fromArrays.NdcgAt10, fromViews.NdcgAt10, Tolerance);
    }

    [TestMethod]
    public void Evaluate_DataViewWithWrongEmbeddingType_ErrorNamesColumnExpectedAndActual()
    {
        var ml = new MLContext(seed: 1);
        var queries = ml.Data.LoadFromEnumerable([new ScalarRow { QueryId = "q0", Embedding = 1f }]);
        var corpus = ml.Data.LoadFromEnumerable([new DocumentRow { DocumentId = "d0", Embedding = [1, 0] }]);
        var judgements = ml.Data.LoadFromEnumerable([new JudgementRow { QueryId = "q0", DocumentId = "d0" }]);

        var error = Assert.ThrowsExactly<ArgumentException>(() => RetrievalEvaluator.Evaluate(queries, corpus, judgements));

        Assert.AreEqual("queries", error.ParamName);
        StringAssert.Contains(error.Message, "'Embedding'");
        StringAssert.Contains(error.Message, "Vector<Single> of known size");
        StringAssert.Contains(error.Message, "Single;"); // the actual type, a scalar
    }

    [TestMethod]
    public void Evaluate_JudgementNamesUnknownDocument_Throws()
    {
        var ml = new MLContext(seed: 1);
        var queries = ml.Data.LoadFromEnumerable([new QueryRow { QueryId = "q0", Embedding = [1, 0] }]);
        var corpus = ml.Data.LoadFromEnumerable([new DocumentRow { DocumentId = "d0", Embedding = [1, 0] }]);
        var judgements = ml.Data.LoadFromEnumerable([new JudgementRow { QueryId = "q0", DocumentId = "nope" }]);

        var error = Assert.ThrowsExactly<ArgumentException>(() => RetrievalEvaluator.Evaluate(queries, corpus, judgements));
        StringAssert.Contains(error.Message, "'nope'");
    }

    private sealed class QueryRow
    {
        public string QueryId { get; set; } = "";

        [VectorType(2)]
        public float[] Embedding { get; set; } = [];
    }

    private sealed class DocumentRow
    {
        public string DocumentId { get; set; } = "";

        [VectorType(2)]
        public float[] Embedding { get; set; } = [];
    }

    private sealed class ScalarRow
    {
        public string QueryId { get; set; } = "";

        public float Embedding { get; set; }
    }

    private sealed class JudgementRow
    {
        public string QueryId { get; set; } = "";

        public string DocumentId { get; set; } = "";
    }
}
