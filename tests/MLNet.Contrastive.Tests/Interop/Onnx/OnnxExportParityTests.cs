using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Tests.Text;
using MLNet.Contrastive.Text;

namespace MLNet.Contrastive.Tests.Interop.Onnx;

/// <summary>Exported graphs run in ONNX Runtime give the library's outputs (tolerance: <see cref="OnnxParity.Tolerance"/>).</summary>
[TestClass]
public sealed class OnnxExportParityTests
{
    private static TextTokenizer Bert() => TextTokenizer.FromBertVocabulary(TestVocabulary.WriteFile(), lowerCase: true, maxTokens: 32);

    private static TransformerShape Shape(PoolingMode pooling, int? output, bool normalize, int vocabulary = 20) => new()
    {
        VocabularySize = vocabulary, HiddenSize = 16, LayerCount = 2, HeadCount = 2, FeedForwardSize = 32, MaxLength = 32,
        Pooling = pooling, OutputDimension = output, Normalize = normalize, Seed = 7,
    };

    [TestMethod]
    [DataRow(PoolingMode.Mean, null, false)]
    [DataRow(PoolingMode.Mean, 8, true)]
    [DataRow(PoolingMode.Cls, null, true)]
    [DataRow(PoolingMode.Cls, 8, false)]
    [DataRow(PoolingMode.Max, null, false)]
    [DataRow(PoolingMode.Max, 8, true)]
    public void Export_Transformer_OnnxRuntimeMatchesLibrary(PoolingMode pooling, int? output, bool normalize)
    {
        var encoder = new TransformerEncoder(Shape(pooling, output, normalize));
        OnnxParity.Perturb(encoder, seed: 5);
        using var model = new EmbeddingModel(Bert(), encoder, device: DeviceKind.Cpu);
        var (sentence, hidden) = OnnxParity.Check(model);
        Assert.IsGreaterThan(0f, hidden, "the comparison covers real token states");
        Assert.IsGreaterThanOrEqualTo(0f, sentence);
    }

    [TestMethod]
    public void Export_CompactedVocabulary_GraphTakesTokenizerIds()
    {
        var tokenizer = TextTokenizer.Cl100kBase(maxTokens: 32);
        var map = VocabularyMap.Build(tokenizer, ["The cat sat on the mat.", "hello world", "the lazy dog"]);
        var encoder = new TransformerEncoder(Shape(PoolingMode.Mean, 8, true, vocabulary: map.Count));
        OnnxParity.Perturb(encoder, seed: 6);
        using var model = new EmbeddingModel(tokenizer, encoder, map, DeviceKind.Cpu);

        // The sentences hold seen and unseen tokens; the graph gets cl100k ids and must pick the mapped rows.
        OnnxParity.Check(model);
        using var stream = new MemoryStream();
        model.ExportToOnnx(stream);
        var graph = global::Onnx.ModelProto.Parser.ParseFrom(stream.ToArray()).Graph;
        var words = graph.Initializer.Single(t => t.Name == "embeddings.word_embeddings.weight");
        CollectionAssert.AreEqual(new long[] { tokenizer.VocabularySize, 16 }, words.Dims.ToArray(), "one row per tokenizer id");
    }

    [TestMethod]
    [DataRow(null, false, false)]
    [DataRow(6, true, false)]
    [DataRow(6, true, true)]
    public void Export_StaticEncoder_OnnxRuntimeMatchesLibrary(int? output, bool normalize, bool compact)
    {
        var tokenizer = compact ? TextTokenizer.Cl100kBase(maxTokens: 32) : Bert();
        var map = compact ? VocabularyMap.Build(tokenizer, ["The cat sat on the mat.", "hello world"]) : null;
        var encoder = new StaticEncoder(new StaticShape
        {
            VocabularySize = map?.Count ?? 20, EmbeddingSize = 12, OutputDimension = output, Normalize = normalize, Seed = 3,
        });
        OnnxParity.Perturb(encoder, seed: 8);
        using var model = new EmbeddingModel(tokenizer, encoder, map, DeviceKind.Cpu);
        OnnxParity.Check(model);
    }

    [TestMethod]
    public void Export_NoLayers_TokenStatesAreTheEmbeddings()
    {
        var encoder = new TransformerEncoder(Shape(PoolingMode.Mean, null, false) with { LayerCount = 0 });
        OnnxParity.Perturb(encoder, seed: 9);
        using var model = new EmbeddingModel(Bert(), encoder, device: DeviceKind.Cpu);
        OnnxParity.Check(model);
    }
}
