using Google.Protobuf;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Interop.Onnx;
using MLNet.Contrastive.Tests.Encoders;
using Onnx;

namespace MLNet.Contrastive.Tests.Interop.Onnx;

/// <summary>ONNX import on the real exports of the two packages, and its errors on damaged copies of them.</summary>
[TestClass]
public sealed class OnnxImportTests
{
    private static ModelProto miniLm = null!;

    [ClassInitialize]
    public static void Parse(TestContext context)
    {
        _ = context;
        miniLm = ModelProto.Parser.ParseFrom(PretrainedResources.Onnx(PretrainedResources.MiniLM));
    }

    [TestMethod]
    [DataRow(PretrainedResources.MiniLM)]
    [DataRow(PretrainedResources.ArcticXs)]
    public void Read_PackageExport_DerivesShapeFromGraph(string name)
    {
        var weights = OnnxBertReader.Read(new MemoryStream(PretrainedResources.Onnx(name)), name);
        var shape = weights.Transformer!;
        Assert.AreEqual((30522, 384, 6, 12, 1536, 512, 2), (shape.VocabularySize, shape.HiddenSize, shape.LayerCount, shape.HeadCount, shape.FeedForwardSize, shape.MaxLength, shape.TokenTypeCount));
        Assert.AreEqual(1e-12, shape.LayerNormEpsilon);

        // 5 embedding tensors and 16 per layer, under Hugging Face names; the pooler and position ids are dropped.
        Assert.HasCount(5 + (16 * 6), weights.Tensors);
        CollectionAssert.AreEqual(new long[] { 1536, 384 }, weights.Tensors["encoder.layer.5.intermediate.dense.weight"].Shape);
        CollectionAssert.AreEqual(new long[] { 384, 1536 }, weights.Tensors["encoder.layer.5.output.dense.weight"].Shape);
    }

    [TestMethod]
    public void Read_AnonymousMatMulWeight_StoredTransposedUnderItsBiasName()
    {
        // In MiniLM the layer-0 query weight is the initializer read by the MatMul whose output is added to the query bias.
        var graph = miniLm.Graph;
        var add = graph.Node.Single(n => n.OpType == "Add" && n.Input.Contains("encoder.layer.0.attention.self.query.bias"));
        var matMul = graph.Node.Single(n => n.Output.Contains(add.Input.Single(i => i != "encoder.layer.0.attention.self.query.bias")));
        var stored = graph.Initializer.Single(t => t.Name == matMul.Input[1]);
        var raw = stored.RawData.ToByteArray();
        float At(int row, int column) => BitConverter.ToSingle(raw, ((row * 384) + column) * 4);

        var weight = OnnxBertReader.Read(new MemoryStream(PretrainedResources.Onnx(PretrainedResources.MiniLM)), "MiniLM").Tensors["encoder.layer.0.attention.self.query.weight"];
        foreach (var (o, i) in new[] { (0, 0), (1, 0), (0, 1), (383, 17), (5, 300) })
        {
            Assert.AreEqual(At(i, o), weight.Values[(o * 384) + i], $"HF weight [{o}, {i}] is the ONNX [in, out] initializer at [{i}, {o}]");
        }
    }

    [TestMethod]
    public void Read_NotAnOnnxModel_NamesTheSource()
    {
        var error = Assert.ThrowsExactly<InvalidDataException>(() => OnnxBertReader.Read(new MemoryStream("not a model"u8.ToArray()), "'junk.onnx'"));
        StringAssert.Contains(error.Message, "'junk.onnx' is not an ONNX model");
    }

    [TestMethod]
    public void Read_GraphWithoutLastHiddenState_IsNotBertFamily()
    {
        var error = ReadDamaged(m => m.Graph.Output[0].Name = "logits");
        StringAssert.Contains(error.Message, "is not a BERT-family encoder graph");
        StringAssert.Contains(error.Message, "logits");
        StringAssert.Contains(error.Message, "the ONNX model stream");
    }

    [TestMethod]
    public void CreatePretrained_MissingInitializer_NamesTheTensor()
    {
        var error = ReadDamaged(m => m.Graph.Initializer.Remove(m.Graph.Initializer.Single(t => t.Name == "encoder.layer.3.output.LayerNorm.bias")));
        StringAssert.Contains(error.Message, "missing 'encoder.layer.3.output.LayerNorm.bias' [384]");
    }

    [TestMethod]
    public void CreatePretrained_MisShapedInitializer_NamesTensorAndShapes()
    {
        var error = ReadDamaged(m =>
        {
            var norm = m.Graph.Initializer.Single(t => t.Name == "encoder.layer.1.attention.output.LayerNorm.weight");
            norm.Dims.Clear();
            norm.Dims.Add([2, 192]);
        });
        StringAssert.Contains(error.Message, "'encoder.layer.1.attention.output.LayerNorm.weight' has shape [2, 192], expected [384]");
    }

    [TestMethod]
    public void Read_BiasNotAddedToMatMul_NamesBiasAndNode()
    {
        var error = ReadDamaged(m =>
        {
            var add = m.Graph.Node.Single(n => n.OpType == "Add" && n.Input.Contains("encoder.layer.2.intermediate.dense.bias"));
            m.Graph.Node.Single(n => n.Output.Contains(add.Input[1])).OpType = "Gemm";
        });
        StringAssert.Contains(error.Message, "'encoder.layer.2.intermediate.dense.bias'");
        StringAssert.Contains(error.Message, "not the output of a MatMul");
    }

    [TestMethod]
    public void CreatePretrained_VocabularyLargerThanEmbeddings_NamesBoth()
    {
        var vocabulary = PretrainedResources.VocabularyLines(PretrainedResources.MiniLM).Concat(["extra1", "extra2"]);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => EmbeddingModel.CreatePretrained(
            new MemoryStream(PretrainedResources.Onnx(PretrainedResources.MiniLM)), Lines(vocabulary), new PretrainedModelOptions { Device = DeviceKind.Cpu }));
        StringAssert.Contains(error.Message, "has 30524 tokens");
        StringAssert.Contains(error.Message, "'embeddings.word_embeddings.weight' [30522, 384]");
    }

    [TestMethod]
    public void CreatePretrained_MaxTokensBeyondPositions_NamesOptionAndLimit()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => EmbeddingModel.CreatePretrained(
            new MemoryStream(PretrainedResources.Onnx(PretrainedResources.MiniLM)), new MemoryStream(PretrainedResources.Vocabulary(PretrainedResources.MiniLM)),
            new PretrainedModelOptions { MaxTokens = 513, Device = DeviceKind.Cpu }));
        Assert.AreEqual("MaxTokens", error.ParamName);
        StringAssert.Contains(error.Message, "512 positions");
    }

    [TestMethod]
    public void Create_ClsPoolingWithoutClsToken_Throws()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => EmbeddingModel.Create(new EncoderSpec
        {
            Pooling = PoolingMode.Cls, Width = 16, Layers = 1, Heads = 2, FeedForwardWidth = 32, Device = DeviceKind.Cpu, EncoderKind = EncoderKind.Transformer,
        }));
        Assert.AreEqual("Pooling", error.ParamName);
        StringAssert.Contains(error.Message, "[CLS]");
    }

    [TestMethod]
    public void Create_OnnxFileInFolderWithSentenceTransformersFiles_HonoursThem()
    {
        var directory = PretrainedResources.WriteFolder(PretrainedResources.ArcticXs, poolingMode: "cls", normalize: true);
        File.WriteAllText(Path.Combine(directory, "sentence_bert_config.json"), """{"max_seq_length": 256, "do_lower_case": false}""");
        try
        {
            using var model = EmbeddingModel.CreatePretrained(Path.Combine(directory, "model.onnx"), new PretrainedModelOptions { Device = DeviceKind.Cpu });
            var encoder = (TransformerEncoder)model.Encoder;
            Assert.AreEqual(PoolingMode.Cls, encoder.Shape.Pooling);
            Assert.IsTrue(encoder.Shape.Normalize);
            Assert.IsNull(encoder.Shape.OutputDimension, "no projection on a pretrained model unless asked");
            Assert.AreEqual(384, model.Dimension);
            Assert.AreEqual(256, model.Tokenizer.MaxTokens);
            Assert.IsFalse(model.Tokenizer.LowerCase);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static InvalidDataException ReadDamaged(Action<ModelProto> damage)
    {
        var copy = miniLm.Clone();
        damage(copy);
        return Assert.ThrowsExactly<InvalidDataException>(() =>
        {
            using var model = EmbeddingModel.CreatePretrained(
                new MemoryStream(copy.ToByteArray()), new MemoryStream(PretrainedResources.Vocabulary(PretrainedResources.MiniLM)), new PretrainedModelOptions { Device = DeviceKind.Cpu });
        });
    }

    private static MemoryStream Lines(IEnumerable<string> lines) => new(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));
}
