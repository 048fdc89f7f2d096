using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Interop.Onnx;
using MLNet.Contrastive.Tests.Encoders;
using MLNet.Contrastive.Tests.Text;
using MLNet.Contrastive.Text;

namespace MLNet.Contrastive.Tests.Interop.Onnx;

/// <summary>
/// Export then import: every kind of model the exporter writes comes back as the same model (the embeddings of the
/// same texts agree to 1e-6: both sides run libtorch on the same weights), and a Linear weight is never loaded in a
/// layout the graph does not show.
/// </summary>
[TestClass]
public sealed class OnnxRoundTripTests
{
    private const float Tolerance = 1e-6f;
    private string directory = null!;

    [TestInitialize]
    public void CreateDirectory() => directory = Directory.CreateTempSubdirectory("onnx-round-trip-").FullName;

    [TestCleanup]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [TestMethod]
    [DataRow("transformer, mean, feed-forward 32 != width 16", "transformer", PoolingMode.Mean, false, null, 32, false)]
    [DataRow("transformer, CLS, normalised, projected to 8", "transformer", PoolingMode.Cls, true, 8, 32, false)]
    [DataRow("transformer, max, feed-forward = width (square weights)", "transformer", PoolingMode.Max, false, null, 16, false)]
    [DataRow("transformer, cl100k_base compacted, normalised, projected to 8", "transformer", PoolingMode.Mean, true, 8, 32, true)]
    [DataRow("static, BERT vocabulary, normalised, projected to 6", "static", PoolingMode.Mean, true, 6, 0, false)]
    [DataRow("static, cl100k_base compacted", "static", PoolingMode.Mean, false, null, 0, true)]
    public void ExportThenImport_ReproducesTheModel(string name, string kind, PoolingMode pooling, bool normalize, int? projection, int feedForward, bool cl100k)
    {
        using var model = Model(kind, pooling, normalize, projection, feedForward, cl100k);
        var path = Path.Combine(directory, "model.onnx");
        model.ExportToOnnx(path);

        using var imported = EmbeddingModel.CreatePretrained(path, new PretrainedModelOptions { Device = DeviceKind.Cpu });

        Assert.AreEqual(model.Dimension, imported.Dimension, name);
        Assert.AreEqual(model.Tokenizer.MaxTokens, imported.Tokenizer.MaxTokens, name);
        Assert.AreEqual(model.Encoder.KindName, imported.Encoder.KindName, name);
        Assert.AreEqual(model.Encoder.PoolingDescription, imported.Encoder.PoolingDescription, name);
        var expected = model.Encode(OnnxParity.Sentences);
        var actual = imported.Encode(OnnxParity.Sentences);
        var worst = expected.Zip(actual, TinyEncoders.MaxAbsDiff).Max();
        Console.WriteLine($"{name}: max |difference| {worst:g3}");
        Assert.IsLessThanOrEqualTo(Tolerance, worst, name);
    }

    [TestMethod]
    public void Import_LinearWeightUsedOtherThanByAMatMul_IsRefusedNamingIt()
    {
        using var model = Model("transformer", PoolingMode.Mean, false, null, 16, false);
        using var stream = new MemoryStream();
        model.ExportToOnnx(stream);
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(stream.ToArray());

        // Route one weight through an Identity node: the graph no longer shows which way round it is.
        const string weight = "encoder.layer.0.attention.self.query.weight";
        var matMul = proto.Graph.Node.First(n => n.OpType == "MatMul" && n.Input.Contains(weight));
        matMul.Input[matMul.Input.IndexOf(weight)] = "query_weight_copy";
        var identity = new global::Onnx.NodeProto { OpType = "Identity", Name = "copy" };
        identity.Input.Add(weight);
        identity.Output.Add("query_weight_copy");
        proto.Graph.Node.Insert(0, identity);

        var error = Assert.ThrowsExactly<InvalidDataException>(() => OnnxBertReader.Read(new MemoryStream(Google.Protobuf.MessageExtensions.ToByteArray(proto)), "the test graph"));

        StringAssert.Contains(error.Message, weight);
        StringAssert.Contains(error.Message, "layout");
    }

    [TestMethod]
    public void Import_MetadataLayoutContradictingTheGraph_IsRefused()
    {
        using var model = Model("transformer", PoolingMode.Mean, false, null, 16, false);
        using var stream = new MemoryStream();
        model.ExportToOnnx(stream);
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(stream.ToArray());
        proto.MetadataProps.Single(p => p.Key == OnnxMetadata.LinearWeightLayout).Value = "[out, in]";

        var error = Assert.ThrowsExactly<InvalidDataException>(() => OnnxBertReader.Read(new MemoryStream(Google.Protobuf.MessageExtensions.ToByteArray(proto)), "the test graph"));

        StringAssert.Contains(error.Message, OnnxMetadata.LinearWeightLayout);
    }

    [TestMethod]
    public void ExportAgain_GraphCannotBeReplaced_LeavesTheWholePreviousExport()
    {
        // chattr +i: the file system refuses to rename or replace the graph (root cannot either), as a read-only mount or a file in use would.
        using var first = Model("transformer", PoolingMode.Mean, false, null, 32, false);
        var path = Path.Combine(directory, "model.onnx");
        first.ExportToOnnx(path);
        var before = Directory.GetFiles(directory).Order().ToDictionary(f => f, File.ReadAllBytes);
        using var second = Model("transformer", PoolingMode.Mean, false, null, 32, false, vocabulary: [.. TestVocabulary.Tokens, "extra"]);
        ImmutableFlag.Set(path, true);
        try
        {
            var error = Assert.Throws<Exception>(() => second.ExportToOnnx(path));
            Assert.IsTrue(error is IOException or UnauthorizedAccessException, error.ToString());
        }
        finally
        {
            ImmutableFlag.Set(path, false);
        }

        var after = Directory.GetFiles(directory).Order().ToDictionary(f => f, File.ReadAllBytes);
        CollectionAssert.AreEqual(before.Keys.ToArray(), after.Keys.ToArray(), $"no temporary or old file is left: {string.Join(", ", after.Keys.Select(Path.GetFileName))}");
        foreach (var (file, bytes) in before)
        {
            CollectionAssert.AreEqual(bytes, after[file], $"{Path.GetFileName(file)} is the previous export's");
        }
    }

    [TestMethod]
    public void Write_SecondMoveFails_PutsTheFirstTargetBack()
    {
        var vocabulary = Path.Combine(directory, "vocab.txt");
        var graph = Path.Combine(directory, "model.onnx");
        File.WriteAllText(vocabulary, "old vocabulary");
        File.WriteAllText(graph, "old graph");
        var moves = 0;

        Assert.ThrowsExactly<IOException>(() => AtomicFiles.Write(
            [(vocabulary, s => s.Write("new vocabulary"u8)), (graph, s => s.Write("new graph"u8))],
            (source, target) =>
            {
                // The vocabulary goes aside and comes in; then the graph cannot be moved aside.
                if (++moves == 3)
                {
                    throw new IOException("the graph cannot be replaced");
                }

                File.Move(source, target);
            }));

        Assert.AreEqual("old vocabulary", File.ReadAllText(vocabulary));
        Assert.AreEqual("old graph", File.ReadAllText(graph));
        CollectionAssert.AreEquivalent(new[] { "vocab.txt", "model.onnx" }, Directory.GetFiles(directory).Select(Path.GetFileName).ToArray());
    }

    private static EmbeddingModel Model(string kind, PoolingMode pooling, bool normalize, int? projection, int feedForward, bool cl100k, string[]? vocabulary = null)
    {
        var tokenizer = cl100k
            ? TextTokenizer.Cl100kBase(maxTokens: 32)
            : TextTokenizer.FromBertVocabulary(TestVocabulary.WriteFile(vocabulary), lowerCase: true, maxTokens: 32);

        // A compacted vocabulary (cl100k_base) is folded into the exported table: the import holds the tokenizer's ids.
        var map = cl100k ? VocabularyMap.Build(tokenizer, OnnxParity.Sentences.Take(5)) : null;
        var rows = map?.Count ?? tokenizer.VocabularySize;
        TextEncoder encoder = kind == "static"
            ? new StaticEncoder(TinyEncoders.Static() with { VocabularySize = rows, OutputDimension = projection, Normalize = normalize })
            : new TransformerEncoder(TinyEncoders.Transformer(pooling) with
            {
                VocabularySize = rows, FeedForwardSize = feedForward, OutputDimension = projection, Normalize = normalize, MaxLength = 32,
            });
        OnnxParity.Perturb(encoder, seed: 11);
        return new EmbeddingModel(tokenizer, encoder, map, DeviceKind.Cpu);
    }
}
