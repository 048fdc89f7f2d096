using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Tests.Encoders;
using MLNet.Contrastive.Tests.Text;
using MLNet.Contrastive.Text;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Interop.Onnx;

/// <summary>The exported graph's layout, the files written beside it, and bad input.</summary>
[TestClass]
public sealed class OnnxExportFileTests
{
    private string directory = null!;

    [TestInitialize]
    public void CreateDirectory() => directory = Directory.CreateTempSubdirectory("onnx-export-").FullName;

    [TestCleanup]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    private static EmbeddingModel Tiny(int? output = 8) => new(
        TextTokenizer.FromBertVocabulary(TestVocabulary.WriteFile(), lowerCase: true, maxTokens: 32),
        new TransformerEncoder(TinyEncoders.Transformer(PoolingMode.Cls) with { OutputDimension = output, Normalize = true }),
        device: DeviceKind.Cpu);

    [TestMethod]
    public void ExportToOnnx_Graph_StandardBertLayoutWithHuggingFaceNames()
    {
        using var model = Tiny();
        using var stream = new MemoryStream();
        model.ExportToOnnx(stream);
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(stream.ToArray());

        Assert.AreEqual(17L, proto.OpsetImport.Single().Version);
        Assert.AreEqual(8L, proto.IrVersion);
        CollectionAssert.AreEqual(new[] { "input_ids", "attention_mask", "token_type_ids" }, proto.Graph.Input.Select(i => i.Name).ToArray());
        foreach (var input in proto.Graph.Input)
        {
            Assert.AreEqual(7, input.Type.TensorType.ElemType, $"{input.Name} is int64");
            CollectionAssert.AreEqual(new[] { "batch", "sequence" }, input.Type.TensorType.Shape.Dim.Select(d => d.DimParam).ToArray(), "dynamic axes");
        }

        CollectionAssert.AreEqual(new[] { "last_hidden_state", "sentence_embedding" }, proto.Graph.Output.Select(o => o.Name).ToArray());
        Assert.AreEqual(16L, proto.Graph.Output[0].Type.TensorType.Shape.Dim[2].DimValue, "width");
        Assert.AreEqual(8L, proto.Graph.Output[1].Type.TensorType.Shape.Dim[1].DimValue, "projected dimension");

        var named = proto.Graph.Initializer.Where(t => !t.Name.StartsWith("const_", StringComparison.Ordinal)).ToDictionary(t => t.Name, t => t.Dims.ToArray());
        var expected = model.Encoder.state_dict().Keys.ToArray();
        CollectionAssert.AreEquivalent(expected, named.Keys.ToArray(), "every weight under its Hugging Face (or projection.*) name, nothing else");
        Assert.IsTrue(named.ContainsKey("encoder.layer.1.attention.self.query.weight"));
        CollectionAssert.AreEqual(new long[] { 20, 16 }, named["embeddings.word_embeddings.weight"]);
        CollectionAssert.AreEqual(new long[] { 16, 32 }, named["encoder.layer.0.intermediate.dense.weight"], "linear weights stored [in, out]");
        CollectionAssert.AreEqual(new long[] { 16, 8 }, named["projection.weight"]);
        Assert.IsTrue(proto.Graph.Node.Any(n => n.OpType == "Erf"), "exact GELU");
        Assert.AreEqual(1 + (2 * 2), proto.Graph.Node.Count(n => n.OpType == "LayerNormalization"), "one for the embeddings, two per layer");

        var metadata = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.AreEqual("cls", metadata["pooling"]);
        Assert.AreEqual("true", metadata["normalize"]);
        Assert.AreEqual("32", metadata["max_length"]);
        Assert.AreEqual("true", metadata["do_lower_case"]);
    }

    [TestMethod]
    public void ExportToOnnx_BertTokenizer_WritesVocabularyBeside_AndLeavesModelUnchanged()
    {
        using var model = Tiny();
        model.Encoder.train();
        var before = model.Encode(OnnxParity.Sentences);
        var path = Path.Combine(directory, "encoder.onnx");
        model.ExportToOnnx(path);

        CollectionAssert.AreEquivalent(new[] { "encoder.onnx", "vocab.txt" }, Directory.GetFiles(directory).Select(Path.GetFileName).ToArray(), "no temporary file left");
        CollectionAssert.AreEqual(TestVocabulary.Tokens, File.ReadAllLines(Path.Combine(directory, "vocab.txt")));
        var reread = TextTokenizer.FromBertVocabulary(Path.Combine(directory, "vocab.txt"), lowerCase: true, maxTokens: 32);
        CollectionAssert.AreEqual(model.Tokenizer.Encode("The cats sat on a big red mat."), reread.Encode("The cats sat on a big red mat."));
        Assert.IsTrue(model.Encoder.training, "the export does not change the encoder's mode");
        var after = model.Encode(OnnxParity.Sentences);
        for (var i = 0; i < before.Length; i++)
        {
            CollectionAssert.AreEqual(before[i], after[i], $"text {i}: the export does not change the weights");
        }
    }

    [TestMethod]
    public void ExportToOnnx_UnsupportedEncoder_NamesType_AndLeavesExistingFileUntouched()
    {
        using var model = new EmbeddingModel(TextTokenizer.Cl100kBase(16), new ConstantEncoder(), device: DeviceKind.Cpu);
        var path = Path.Combine(directory, "model.onnx");
        File.WriteAllText(path, "previous model");

        var error = Assert.ThrowsExactly<NotSupportedException>(() => model.ExportToOnnx(path));
        StringAssert.Contains(error.Message, typeof(ConstantEncoder).FullName!);
        StringAssert.Contains(error.Message, "TransformerEncoder and StaticEncoder");
        Assert.AreEqual("previous model", File.ReadAllText(path));
        Assert.HasCount(1, Directory.GetFiles(directory), "nothing else written");
        Assert.ThrowsExactly<NotSupportedException>(() => model.ExportToOnnx(new MemoryStream()));
    }

    [TestMethod]
    public void ExportToOnnx_UnwritablePath_ThrowsAndLeavesNoFile()
    {
        using var model = Tiny();
        var missing = Path.Combine(this.directory, "no-such-directory");
        var error = Assert.ThrowsExactly<DirectoryNotFoundException>(() => model.ExportToOnnx(Path.Combine(missing, "model.onnx")));
        StringAssert.Contains(error.Message, missing);
        Assert.IsFalse(Directory.Exists(missing));

        var directory = Directory.CreateDirectory(Path.Combine(this.directory, "model.onnx")).FullName;
        var io = Assert.ThrowsExactly<IOException>(() => model.ExportToOnnx(directory));
        StringAssert.Contains(io.Message, directory);
        Assert.IsEmpty(Directory.GetFiles(this.directory), "no vocabulary, no temporary file");
    }

    [TestMethod]
    public void ExportToOnnx_BadArguments_Throw()
    {
        using var model = Tiny();
        Assert.ThrowsExactly<ArgumentNullException>(() => model.ExportToOnnx((string)null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => model.ExportToOnnx((Stream)null!));
        Assert.ThrowsExactly<ArgumentException>(() => model.ExportToOnnx("  "));
        var error = Assert.ThrowsExactly<ArgumentException>(() => model.ExportToOnnx(Path.Combine(directory, "vocab.txt")));
        StringAssert.Contains(error.Message, "vocab.txt");
        Assert.IsEmpty(Directory.GetFiles(directory));
    }

    /// <summary>A user-defined encoder: not one the exporter knows.</summary>
    private sealed class ConstantEncoder : TextEncoder
    {
        public ConstantEncoder()
            : base(nameof(ConstantEncoder))
        {
        }

        public override int Dimension => 2;

        public override Tensor forward(Tensor inputIds, Tensor attentionMask) => ones(inputIds.shape[0], 2);
    }
}
