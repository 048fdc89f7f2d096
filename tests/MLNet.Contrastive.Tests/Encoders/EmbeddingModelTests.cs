using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Text;

namespace MLNet.Contrastive.Tests.Encoders;

[TestClass]
public sealed class EmbeddingModelTests
{
    private static readonly string[] Training = ["the quick brown fox", "jumps over the lazy dog", "hello world"];

    private static EmbeddingModel Compact(EncoderKind kind) => EmbeddingModel.Create(
        new EncoderSpec
        {
            EncoderKind = kind, Width = 16, Layers = 1, Heads = 2, FeedForwardWidth = 32, MaxTokens = 16,
            EmbeddingDimension = 8, Normalize = true, Device = DeviceKind.Cpu, Seed = 11,
        },
        Training);

    [TestMethod]
    [DataRow(EncoderKind.Transformer)]
    [DataRow(EncoderKind.Static)]
    public void SaveLoad_RoundTrip_BitIdenticalVectors(EncoderKind kind)
    {
        using var model = Compact(kind);
        string[] texts = ["the lazy fox", "unseen zebra words", string.Empty, "hello world"];
        var before = model.Encode(texts, batchSize: 3);
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        using var loaded = EmbeddingModel.Load(stream, DeviceKind.Cpu);
        var after = loaded.Encode(texts, batchSize: 3);
        Assert.AreEqual(model.VocabularyMap!.Count, loaded.VocabularyMap!.Count);
        for (var i = 0; i < texts.Length; i++)
        {
            CollectionAssert.AreEqual(before[i], after[i], $"text {i} must be bit-identical after loading");
        }
    }

    [TestMethod]
    public void Tokenize_CompactVocabulary_UnseenTokensMapToUnseenRow()
    {
        using var model = Compact(EncoderKind.Static);
        var ids = model.Tokenize([" fox", " zebra"]);
        Assert.AreNotEqual(model.VocabularyMap!.UnseenId, ids[0][0], "' fox' (with its space) is a token of the training texts");
        Assert.IsTrue(ids[1].All(id => id == model.VocabularyMap.UnseenId), "' zebra' is not");
        Assert.AreEqual(model.VocabularyMap.Count, ((StaticEncoder)model.Encoder).Shape.VocabularySize);
    }

    [TestMethod]
    public void Encode_EmptyText_FiniteUnitVector_AndNullTextNamesPosition()
    {
        using var model = Compact(EncoderKind.Transformer);
        var vector = model.Encode([string.Empty])[0];
        Assert.IsTrue(vector.All(float.IsFinite));
        Assert.AreEqual(1.0, Math.Sqrt(vector.Sum(v => (double)v * v)), 1e-5, "normalised output: unit length up to float32 rounding");
        var error = Assert.ThrowsExactly<ArgumentException>(() => model.Encode(["a", "b", null!]));
        StringAssert.Contains(error.Message, "Text 2");
    }

    [TestMethod]
    public void Encode_RestoresTrainingMode_AndIsDeterministic()
    {
        using var model = Compact(EncoderKind.Transformer);
        model.Encoder.train();
        var first = model.Encode(Training);
        Assert.IsTrue(model.Encoder.training, "Encode must restore training mode");
        var second = model.Encode(Training);
        for (var i = 0; i < first.Length; i++)
        {
            CollectionAssert.AreEqual(first[i], second[i], "dropout must be off during Encode");
        }
    }

    [TestMethod]
    public void Load_TruncatedStream_SaysTruncated()
    {
        var bytes = Saved();
        using var truncated = new MemoryStream(bytes[..(bytes.Length / 2)]);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => EmbeddingModel.Load(truncated, DeviceKind.Cpu));
        StringAssert.Contains(error.Message, "truncated");
    }

    [TestMethod]
    public void Load_CorruptedOrNewerOrForeignStream_ClearErrors()
    {
        var bytes = Saved();
        var corrupted = (byte[])bytes.Clone();
        corrupted[bytes.Length / 2] ^= 0x40;
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => EmbeddingModel.Load(new MemoryStream(corrupted))).Message, "corrupted");
        var newer = (byte[])bytes.Clone();
        BitConverter.GetBytes(99).CopyTo(newer, 12); // minimum readable version, after the 8-byte signature and the written version
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => EmbeddingModel.Load(new MemoryStream(newer))).Message, "version");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => EmbeddingModel.Load(new MemoryStream(new byte[64]))).Message, "signature");
    }

    [TestMethod]
    public void EncoderSerializer_WeightsOfAnotherShape_NamesEveryMismatch()
    {
        using var small = new TransformerEncoder(TinyEncoders.Transformer());
        using var stream = new MemoryStream();
        EncoderSerializer.Save(small, stream);
        stream.Position = 0;
        var copy = EncoderSerializer.Load(stream);
        using (copy)
        {
            CollectionAssert.AreEqual(small.state_dict().Keys.ToArray(), copy.state_dict().Keys.ToArray());
        }

        using var target = new TransformerEncoder(TinyEncoders.Transformer() with { FeedForwardSize = 24 });
        var tensors = small.state_dict().ToDictionary(p => p.Key, p => new TensorData(p.Value.shape, p.Value.data<float>().ToArray()));
        var error = Assert.ThrowsExactly<InvalidDataException>(() => TensorData.LoadInto(target, tensors, "test"));
        StringAssert.Contains(error.Message, "'encoder.layer.0.intermediate.dense.weight' has shape [32, 16], expected [24, 16]");
        StringAssert.Contains(error.Message, "'encoder.layer.1.output.dense.weight' has shape [16, 32], expected [16, 24]");
    }

    [TestMethod]
    public void Save_CustomTokenizer_NotSupportedNamesType()
    {
        var tokenizer = TextTokenizer.FromTokenizer(Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("cl100k_base"), 100277, 8);
        using var model = new EmbeddingModel(tokenizer, new StaticEncoder(new StaticShape { VocabularySize = 100277, EmbeddingSize = 4 }), null, DeviceKind.Cpu);
        var error = Assert.ThrowsExactly<NotSupportedException>(() => model.Save(new MemoryStream()));
        StringAssert.Contains(error.Message, "TiktokenTokenizer");
    }

    private static byte[] Saved()
    {
        using var model = Compact(EncoderKind.Static);
        using var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }
}
