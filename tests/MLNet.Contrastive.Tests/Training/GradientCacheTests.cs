using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Training;

/// <summary>
/// Cached gradients against full-batch autograd. Relative error = max|g_cached - g_full| / max|g_full| over all
/// parameters; 1e-5 allows float32 rounding of the same sums taken in a different order (chunking, row blocks).
/// </summary>
[TestClass]
public sealed class GradientCacheTests
{
    private const double Tolerance = 1e-5;

    [TestMethod]
    [DataRow("shared, B % chunk != 0", LossKind.InfoNce, false, 0, false, false, false)]
    [DataRow("two towers", LossKind.InfoNce, true, 0, false, false, false)]
    [DataRow("hard negatives", LossKind.InfoNce, false, 2, false, false, false)]
    [DataRow("symmetric", LossKind.SymmetricInfoNce, true, 1, false, false, false)]
    [DataRow("dcl", LossKind.Dcl, false, 1, false, false, false)]
    [DataRow("dclw", LossKind.Dclw, true, 1, false, false, true)]
    [DataRow("learnable temperature", LossKind.InfoNce, false, 1, true, false, false)]
    [DataRow("length sorting", LossKind.SymmetricInfoNce, true, 2, true, true, true)]
    public void Step_MatchesFullBatchGradients(string name, LossKind kind, bool twoTowers, int k, bool learnable, bool sort, bool grouped)
    {
        const int batch = 7;
        using var queryEncoder = new TinyEncoder(seed: 1);
        using var documentEncoder = twoTowers ? new TinyEncoder(seed: 2) : null;
        var loss = LossSpec.Create(kind, learnable ? Temperature.Learnable(0.1) : Temperature.Fixed(0.1), rowChunkSize: 3);
        var parameters = queryEncoder.parameters().Concat(documentEncoder?.parameters() ?? []).Concat(loss.Parameters()).ToArray();
        var queries = TestData.Texts(batch, seed: 10);
        var documents = TestData.Texts(batch * (1 + k), seed: 20);
        var groups = grouped ? new long[] { 0, 1, 0, 2, 3, 3, 4 } : null;

        // Full batch: one padded forward per side, one loss graph, one backward.
        using (var scope = NewDisposeScope())
        {
            var full = loss.Forward(TestData.EncodeAll(queryEncoder, queries), TestData.EncodeAll(documentEncoder ?? queryEncoder, documents), k, groups);
            full.backward();
        }

        var expected = TestData.Gradients(parameters);
        TestData.ZeroGradients(parameters);

        var options = new GradientCacheOptions { ChunkSize = 3, DocumentChunkSize = 4, SortByLength = sort };
        var result = new GradientCache(queryEncoder, documentEncoder, loss, options).Step(queries, documents, k, groups);
        var actual = TestData.Gradients(parameters);

        Assert.IsTrue(double.IsFinite(result.Loss), name);
        Assert.AreEqual(3, result.QueryChunks, name);
        Assert.IsTrue(expected.All(g => g.abs().max().item<float>() > 0), $"{name}: every parameter must get a gradient");
        var error = TestData.RelativeError(actual, expected);
        Assert.IsTrue(error <= Tolerance, $"{name}: relative error {error}");
    }

    [TestMethod]
    [DataRow(LossKind.InfoNce, false)]
    [DataRow(LossKind.SymmetricInfoNce, false)]
    [DataRow(LossKind.Dcl, true)]
    public void Step_Matryoshka_MatchesTheFullBatchGradientsOfTheWeightedSumOverPrefixes(LossKind kind, bool learnable)
    {
        const int batch = 7;
        const int k = 1;
        int[] dimensions = [2, 4, 6];
        double[] weights = [0.5, 1.0, 2.0];
        using var encoder = new TinyEncoder(seed: 3, dimension: 6);
        var temperature = learnable ? Temperature.Learnable(0.1) : Temperature.Fixed(0.1);
        var plain = LossSpec.Create(kind, temperature, rowChunkSize: 3);
        var matryoshka = LossSpec.Create(kind, temperature, rowChunkSize: 3) switch
        {
            InfoNceLoss l => (ContrastiveLoss)new InfoNceLoss(temperature) { RowChunkSize = 3, Symmetric = l.Symmetric, MatryoshkaDimensions = dimensions, MatryoshkaWeights = weights },
            _ => new DecoupledContrastiveLoss(temperature) { RowChunkSize = 3, MatryoshkaDimensions = dimensions, MatryoshkaWeights = weights },
        };
        var parameters = encoder.parameters().Concat(temperature.parameters()).ToArray();
        var queries = TestData.Texts(batch, seed: 11);
        var documents = TestData.Texts(batch * (1 + k), seed: 21);

        // The reference, written out: the plain loss on each prefix, weighted, one graph, one backward.
        double expectedLoss;
        using (var scope = NewDisposeScope())
        {
            var q = TestData.EncodeAll(encoder, queries);
            var d = TestData.EncodeAll(encoder, documents);
            var full = dimensions.Select((m, i) => plain.Forward(q.narrow(1, 0, m), d.narrow(1, 0, m), k) * weights[i]).Aggregate((a, b) => a + b);
            expectedLoss = full.item<float>();
            full.backward();
        }

        var expected = TestData.Gradients(parameters);
        TestData.ZeroGradients(parameters);
        var result = new GradientCache(encoder, null, matryoshka, new GradientCacheOptions { ChunkSize = 3 }).Step(queries, documents, k);
        var actual = TestData.Gradients(parameters);

        Assert.AreEqual(expectedLoss, result.Loss, 1e-5 * Math.Abs(expectedLoss));
        var error = TestData.RelativeError(actual, expected);
        Assert.IsTrue(error <= Tolerance, $"{kind}: relative error {error}");
        using (NewDisposeScope())
        {
            var onWhole = plain.Forward(TestData.EncodeAll(encoder, queries), TestData.EncodeAll(encoder, documents), k).item<float>();
            Assert.AreNotEqual(onWhole, result.Loss, 1e-3, "the prefixes change the loss");
        }
    }

    [TestMethod]
    public void Matryoshka_BadDimensionsOrWeights_AreRefusedNamingThem()
    {
        var temperature = Temperature.Fixed(0.1);
        Assert.AreEqual("MatryoshkaDimensions", Assert.ThrowsExactly<ArgumentException>(() => new InfoNceLoss(temperature) { MatryoshkaDimensions = [4, 2] }).ParamName);
        Assert.AreEqual("MatryoshkaDimensions", Assert.ThrowsExactly<ArgumentException>(() => new InfoNceLoss(temperature) { MatryoshkaDimensions = [0, 2] }).ParamName);
        Assert.AreEqual("MatryoshkaWeights", Assert.ThrowsExactly<ArgumentException>(() => new InfoNceLoss(temperature) { MatryoshkaWeights = [1, -1] }).ParamName);
        using var scope = NewDisposeScope();
        var q = randn(3, 4);
        var tooLarge = new InfoNceLoss(temperature) { MatryoshkaDimensions = [2, 8] };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => tooLarge.Forward(q, q, 0)).Message, "above the embeddings' size (4)");
        var mismatched = new InfoNceLoss(temperature) { MatryoshkaDimensions = [2, 4], MatryoshkaWeights = [1] };
        Assert.AreEqual("MatryoshkaWeights", Assert.ThrowsExactly<ArgumentException>(() => mismatched.Forward(q, q, 0)).ParamName);
    }

    [TestMethod]
    public void Step_OverAUsersOwnTorchSharpModule_MatchesFullBatchGradients()
    {
        // The advanced API takes any module that maps (ids, mask) to embeddings, as luyug/GradCache takes any model: here
        // one written as a TorchSharp user would, that knows nothing of this library (no TextEncoder, no attention budget).
        const int batch = 7, k = 1;
        using var encoder = new MaxPoolModule(seed: 4);
        var loss = new InfoNceLoss(Temperature.Learnable(0.1)) { Symmetric = true, RowChunkSize = 2 };
        var parameters = encoder.parameters().Concat(loss.Parameters()).ToArray();
        var queries = TestData.Texts(batch, seed: 50);
        var documents = TestData.Texts(batch * (1 + k), seed: 60);
        using (var scope = NewDisposeScope())
        {
            loss.Forward(TestData.EncodeAll(encoder, queries), TestData.EncodeAll(encoder, documents), k).backward();
        }

        var expected = TestData.Gradients(parameters);
        TestData.ZeroGradients(parameters);

        var result = new GradientCache(encoder, null, loss, new GradientCacheOptions { ChunkSize = 2 }).Step(queries, documents, k);
        var actual = TestData.Gradients(parameters);

        Assert.AreEqual((4, 7), (result.QueryChunks, result.DocumentChunks), "ceil(7 / 2) query and ceil(14 / 2) document chunks");
        Assert.IsTrue(expected.All(g => g.abs().max().item<float>() > 0), "every parameter must get a gradient");
        var error = TestData.RelativeError(actual, expected);
        Assert.IsTrue(error <= Tolerance, $"relative error {error}");
    }

    [TestMethod]
    public void Step_WithDropout_MatchesChunkSeededReference_AndDiffersWithoutReplay()
    {
        const int batch = 6, k = 1;
        using var encoder = new TinyEncoder(seed: 3, dropoutProbability: 0.1);
        encoder.train();
        var loss = new InfoNceLoss(Temperature.Fixed(0.1));
        var parameters = encoder.parameters().ToArray();
        var queries = TestData.Texts(batch, seed: 30);
        var documents = TestData.Texts(batch * (1 + k), seed: 40);
        var options = new GradientCacheOptions { ChunkSize = 4, DocumentChunkSize = 5, ReplaySeed = 77 };
        var cache = new GradientCache(encoder, null, loss, options);

        // Reference: the same per-chunk seeds, one graph over the whole batch, one backward.
        using (var scope = NewDisposeScope())
        {
            var q = cache.EncodeReference(EncoderSide.Query, queries, step: 5);
            var d = cache.EncodeReference(EncoderSide.Document, documents, step: 5);
            loss.Forward(q, d, k).backward();
        }

        var expected = TestData.Gradients(parameters);
        TestData.ZeroGradients(parameters);
        cache.Step(queries, documents, k, step: 5);
        var replayed = TestData.RelativeError(TestData.Gradients(parameters), expected);
        Assert.IsTrue(replayed <= Tolerance, $"with replay: relative error {replayed}");

        TestData.ZeroGradients(parameters);
        new GradientCache(encoder, null, loss, options with { ReplaySeed = null }).Step(queries, documents, k, step: 5);
        var unreplayed = TestData.RelativeError(TestData.Gradients(parameters), expected);

        // Different masks in the two passes: the error is of the order of the dropout's effect, far above rounding.
        Assert.IsTrue(unreplayed > 1e-3, $"without replay: relative error {unreplayed}");
    }

    [TestMethod]
    public void Step_LeavesNoLiveTensorBehind()
    {
        using var encoder = new TinyEncoder(seed: 4, dropoutProbability: 0.1);
        var loss = new DecoupledContrastiveLoss(Temperature.Learnable(0.1)) { Weighted = true, RowChunkSize = 2 };
        var cache = new GradientCache(encoder, null, loss, new GradientCacheOptions { ChunkSize = 2, DocumentChunkSize = 3 });
        var queries = TestData.Texts(5, seed: 50);
        var documents = TestData.Texts(10, seed: 60);
        cache.Step(queries, documents, 1, step: 0); // creates the parameters' gradients

        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        cache.Step(queries, documents, 1, step: 1);
        cache.Step(queries, documents, 1, step: 2);
        var after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.AreEqual(before, after, "live tensor wrappers after two more steps");
    }

    [TestMethod]
    public void Step_BadInput_NamesTheParameter()
    {
        using var encoder = new TinyEncoder(seed: 5);
        var loss = new InfoNceLoss(Temperature.Fixed(0.1));
        var cache = new GradientCache(encoder, null, loss, new GradientCacheOptions());
        var two = TestData.Texts(2, seed: 1);

        Assert.AreEqual("queries", Assert.ThrowsExactly<ArgumentException>(() => cache.Step(TestData.Texts(1, 1), two.Take(1).ToArray(), 0)).ParamName);
        Assert.AreEqual("documents", Assert.ThrowsExactly<ArgumentException>(() => cache.Step(two, TestData.Texts(3, 1), 0)).ParamName);
        Assert.AreEqual("negativesPerQuery", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => cache.Step(two, two, -1)).ParamName);
        Assert.AreEqual("queries", Assert.ThrowsExactly<ArgumentException>(() => cache.Step(new[] { new[] { 1 }, Array.Empty<int>() }, two, 0)).ParamName);
        Assert.AreEqual("groups", Assert.ThrowsExactly<ArgumentException>(() => cache.Step(two, two, 0, new long[] { 1, 2, 3 })).ParamName);
        Assert.AreEqual("ChunkSize", Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => new GradientCache(encoder, null, loss, new GradientCacheOptions { ChunkSize = 0 })).ParamName);
        Assert.AreEqual("DocumentChunkSize", Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => new GradientCache(encoder, null, loss, new GradientCacheOptions { DocumentChunkSize = -1 })).ParamName);
    }

    /// <summary>A user's module: token embeddings, a max over the real tokens, a linear layer.</summary>
    private sealed class MaxPoolModule : nn.Module<Tensor, Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Embedding embedding;
        private readonly TorchSharp.Modules.Linear output;

        public MaxPoolModule(long seed)
            : base(nameof(MaxPoolModule))
        {
            torch.manual_seed(seed);
            embedding = nn.Embedding(32, 8);
            output = nn.Linear(8, 5);
            RegisterComponents();
        }

        public override Tensor forward(Tensor inputIds, Tensor attentionMask)
        {
            using var scope = NewDisposeScope();
            var tokens = embedding.call(inputIds).masked_fill(attentionMask.eq(0).unsqueeze(-1), float.NegativeInfinity);
            return output.call(tokens.amax([1])).MoveToOuterDisposeScope();
        }
    }
}
