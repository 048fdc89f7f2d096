using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Tests.Training;
using MLNet.Contrastive.Training;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace MLNet.Contrastive.Tests.Integration;

/// <summary>
/// The gradient cache with the library's real encoders (not the test encoder): texts of mixed lengths (each chunk padded
/// to its own longest text), length sorting on, a batch that the chunk size does not divide.
/// Relative error = max|g_cached - g_reference| / max|g_reference| over all parameters; 1e-5 allows float32 rounding of
/// the same sums taken in a different order (chunked re-encoding, accumulation of per-chunk gradients, loss row blocks),
/// which measured ~1e-7 on these sizes, while a wrong mask, a wrong order or a missing chunk gives errors of order 1.
/// </summary>
[TestClass]
public sealed class RealEncoderGradientCacheTests
{
    private const double Tolerance = 1e-5;
    private const int Vocabulary = 50;
    private const int Batch = 10; // chunks of 4 queries / 3 documents: 10 is divisible by neither

    private static TransformerEncoder TinyTransformer(long seed, double dropout) => new(new TransformerShape
    {
        VocabularySize = Vocabulary, HiddenSize = 32, LayerCount = 2, HeadCount = 2, FeedForwardSize = 64, MaxLength = 32,
        Dropout = dropout, AttentionDropout = dropout, Pooling = PoolingMode.Mean, Seed = seed,
    });

    private static StaticEncoder Static(long seed) => new(new StaticShape
    {
        VocabularySize = Vocabulary, EmbeddingSize = 24, OutputDimension = 32, Seed = seed,
    });

    private static GradientCacheOptions CacheOptions() => new()
    {
        ChunkSize = 4, DocumentChunkSize = 3, SortByLength = true, PaddingId = 0, ReplaySeed = 11,
    };

    [TestMethod]
    [DataRow("transformer, dropout 0.1, shared, k=1", "transformer", null, 1)]
    [DataRow("transformer query tower + static document tower, k=0", "transformer", "static", 0)]
    [DataRow("static, shared, k=2", "static", null, 2)]
    public void Step_WithRealEncoders_MatchesChunkSeededFullGraphReference(string name, string query, string? document, int k)
    {
        using var queryEncoder = Create(query, seed: 1);
        using var documentEncoder = document is null ? null : Create(document, seed: 2);
        queryEncoder.train();
        documentEncoder?.train();
        var loss = new InfoNceLoss(Temperature.Learnable(0.05)) { Symmetric = true, RowChunkSize = 4 };
        var parameters = queryEncoder.parameters().Concat(documentEncoder?.parameters() ?? []).Concat(loss.Parameters()).ToArray();
        var queries = TestData.Texts(Batch, seed: 100, vocabulary: Vocabulary, maxLength: 20);
        var documents = TestData.Texts(Batch * (1 + k), seed: 200, vocabulary: Vocabulary, maxLength: 20);
        var cache = new GradientCache(queryEncoder, documentEncoder, loss, CacheOptions());

        // Reference: the same chunks and dropout seeds, but one autograd graph over the whole batch and one backward.
        using (var scope = NewDisposeScope())
        {
            var q = cache.EncodeReference(EncoderSide.Query, queries, step: 3);
            var d = cache.EncodeReference(EncoderSide.Document, documents, step: 3);
            loss.Forward(q, d, k).backward();
        }

        var expected = TestData.Gradients(parameters);
        TestData.ZeroGradients(parameters);
        var result = cache.Step(queries, documents, k, step: 3);
        var actual = TestData.Gradients(parameters);

        Assert.IsTrue(double.IsFinite(result.Loss), name);
        Assert.AreEqual(3, result.QueryChunks, $"{name}: ceil(10 / 4) query chunks");
        var paddedToLongest = (queries.Max(t => t.Length) * (long)queries.Length) + (documents.Max(t => t.Length) * (long)documents.Length);
        Assert.IsTrue(result.PaddedTokens < paddedToLongest, $"{name}: sorted per-chunk padding {result.PaddedTokens} must beat padding each side to its longest text ({paddedToLongest})");
        AssertEveryParameterHasAGradient(parameters, expected, name);
        var error = TestData.RelativeError(actual, expected);
        Console.WriteLine($"{name}: relative error {error:E2}");
        Assert.IsTrue(error <= Tolerance, $"{name}: relative error {error}");

        if (query == "transformer")
        {
            // The same step without dropout replay draws other masks in the re-encoding pass: the error must then be of
            // the order of dropout's effect, which shows that dropout is live in these encoders and the check above is not vacuous.
            TestData.ZeroGradients(parameters);
            var options = CacheOptions() with { ReplaySeed = null };
            new GradientCache(queryEncoder, documentEncoder, loss, options).Step(queries, documents, k, step: 3);
            var unreplayed = TestData.RelativeError(TestData.Gradients(parameters), expected);
            Assert.IsTrue(unreplayed > 1e-3, $"{name}: without replay, relative error {unreplayed}");
        }
    }

    [TestMethod]
    [DataRow("transformer, eval mode", "transformer")]
    [DataRow("static", "static")]
    public void Step_WithoutDropout_MatchesOnePaddedFullBatchForward(string name, string kind)
    {
        // No dropout: the reference is the plain full batch, one forward of all texts padded to the longest, in input
        // order. Equality then also checks that chunking, sorting and per-chunk padding do not change the embeddings.
        using var encoder = Create(kind, seed: 5);
        encoder.eval();
        var loss = new InfoNceLoss(Temperature.Fixed(0.05)) { Symmetric = true };
        var parameters = encoder.parameters().ToArray();
        var queries = TestData.Texts(Batch, seed: 300, vocabulary: Vocabulary, maxLength: 24);
        var documents = TestData.Texts(Batch * 2, seed: 400, vocabulary: Vocabulary, maxLength: 24);

        using (var scope = NewDisposeScope())
        {
            loss.Forward(TestData.EncodeAll(encoder, queries), TestData.EncodeAll(encoder, documents), 1).backward();
        }

        var expected = TestData.Gradients(parameters);
        TestData.ZeroGradients(parameters);
        new GradientCache(encoder, null, loss, CacheOptions()).Step(queries, documents, 1);
        var actual = TestData.Gradients(parameters);

        AssertEveryParameterHasAGradient(parameters, expected, name);
        var error = TestData.RelativeError(actual, expected);
        Console.WriteLine($"{name}: relative error {error:E2}");
        Assert.IsTrue(error <= Tolerance, $"{name}: relative error {error}");
    }

    private static TextEncoder Create(string kind, long seed) => kind switch
    {
        "transformer" => TinyTransformer(seed, dropout: 0.1),
        "static" => Static(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Expected transformer or static."),
    };

    // A parameter the loss does not reach would make any comparison vacuous for it. Embedding rows of unused ids are
    // legitimately zero, so the check is per tensor: every tensor must receive some gradient.
    private static void AssertEveryParameterHasAGradient(Parameter[] parameters, Tensor[] gradients, string name)
    {
        for (var i = 0; i < gradients.Length; i++)
        {
            Assert.IsTrue(gradients[i].abs().max().item<float>() > 0, $"{name}: no gradient for parameter {i} of shape [{string.Join(", ", parameters[i].shape)}]");
        }
    }
}
