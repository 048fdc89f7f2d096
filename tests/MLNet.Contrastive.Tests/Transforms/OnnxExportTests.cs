using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Tests.Encoders;
using MLNet.Contrastive.Tests.Interop.Onnx;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Transforms;

/// <summary>The input row of ML.NET's ApplyOnnxModel: one text's ids, padded to <see cref="OnnxExportTests.Length"/>.</summary>
public sealed class OnnxInputRow
{
    [VectorType(OnnxExportTests.Length)]
    [ColumnName("input_ids")]
    public long[] InputIds { get; set; } = [];

    [VectorType(OnnxExportTests.Length)]
    [ColumnName("attention_mask")]
    public long[] AttentionMask { get; set; } = [];

    [VectorType(OnnxExportTests.Length)]
    [ColumnName("token_type_ids")]
    public long[] TokenTypeIds { get; set; } = [];
}

/// <summary>A transformer trained through the estimator, exported, serves the same vectors through ONNX Runtime and ApplyOnnxModel.</summary>
[TestClass]
public sealed class OnnxExportTests
{
    /// <summary>The token count of the fitted model (its MaxTokens), the fixed sequence length given to ApplyOnnxModel.</summary>
    internal const int Length = 16;

    private string directory = null!;

    [TestInitialize]
    public void CreateDirectory() => directory = Directory.CreateTempSubdirectory("onnx-export-").FullName;

    [TestCleanup]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    private static ContrastiveEmbeddingTransformer Fit(MLContext mlContext)
    {
        var options = TestData.Options(dimension: 8);
        (options.Width, options.Layers, options.Heads, options.FeedForwardWidth, options.MaxTokens, options.Seed) = (16, 1, 2, 32, Length, 1);
        var fitted = mlContext.Transforms.ContrastiveEmbedding(options).Fit(TestData.View(mlContext, TestData.Rows(16)));
        Assert.AreEqual(2, fitted.TrainingSummary!.Steps, "16 rows in batches of 8: the exported weights are trained ones");
        return fitted;
    }

    [TestMethod]
    public void ExportToOnnx_AfterTraining_OnnxRuntimeMatchesTransform()
    {
        var mlContext = new MLContext(seed: 3);
        using var fitted = Fit(mlContext);
        var path = Path.Combine(directory, "model.onnx");
        fitted.ExportToOnnx(path);
        Assert.IsFalse(File.Exists(Path.Combine(directory, EmbeddingModel.OnnxVocabularyFileName)), "cl100k_base has no vocab.txt");
        CollectionAssert.AreEqual(new[] { "model.onnx" }, Directory.GetFiles(directory).Select(Path.GetFileName).ToArray(), "no temporary file left");

        var texts = OnnxParity.Sentences.Concat(["cat dog kitten", "stock bond market price yield trader index dividend stock bond"]).ToArray();
        var expected = TestData.Vectors(fitted.Transform(mlContext.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Anchor = t }))));
        using var session = new InferenceSession(path);
        var actual = OnnxParity.Onnx(session, fitted.Model, texts).Sentence;
        Assert.IsGreaterThan(1e-2f, TinyEncoders.MaxAbsDiff(expected[0], expected[^1]), "texts of two topics get different vectors: the comparison is not trivial");
        var diff = OnnxParity.MaxAbsDiff(expected, actual);
        Console.WriteLine($"ONNX Runtime vs Transform: max |diff| {diff:E2}");
        Assert.IsLessThanOrEqualTo(OnnxParity.Tolerance, diff);

        fitted.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => fitted.ExportToOnnx(Path.Combine(directory, "after-dispose.onnx")));
        Assert.IsFalse(File.Exists(Path.Combine(directory, "after-dispose.onnx")));
    }

    [TestMethod]
    public void ExportToOnnx_ApplyOnnxModel_MatchesTransform()
    {
        var mlContext = new MLContext(seed: 3);
        using var fitted = Fit(mlContext);
        var path = Path.Combine(directory, "model.onnx");
        fitted.ExportToOnnx(path);

        var texts = OnnxParity.Sentences;
        var expected = TestData.Vectors(fitted.Transform(mlContext.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Anchor = t }))));
        var rows = fitted.Model.Tokenizer.EncodeBatch(texts).Sequences.Select(ids => new OnnxInputRow
        {
            InputIds = ids.Select(id => (long)id).Concat(Enumerable.Repeat((long)fitted.Model.Tokenizer.PaddingId, Length - ids.Length)).ToArray(),
            AttentionMask = ids.Select(_ => 1L).Concat(Enumerable.Repeat(0L, Length - ids.Length)).ToArray(),
            TokenTypeIds = new long[Length],
        }).ToList();
        var data = mlContext.Data.LoadFromEnumerable(rows);
        string[] inputs = ["input_ids", "attention_mask", "token_type_ids"];
        var shapes = inputs.ToDictionary(name => name, _ => new[] { 1, Length });
        var onnx = mlContext.Transforms.ApplyOnnxModel(["sentence_embedding"], inputs, path, shapes, gpuDeviceId: null, fallbackToCpu: false, recursionLimit: 100).Fit(data);
        try
        {
            var actual = onnx.Transform(data).GetColumn<float[]>("sentence_embedding").ToArray();
            var diff = OnnxParity.MaxAbsDiff(expected, actual);
            Console.WriteLine($"ApplyOnnxModel vs Transform: max |diff| {diff:E2}");
            Assert.IsLessThanOrEqualTo(OnnxParity.Tolerance, diff, "each row padded to 16 tokens: padding must not change the embedding");
        }
        finally
        {
            onnx.Dispose();
        }
    }
}
