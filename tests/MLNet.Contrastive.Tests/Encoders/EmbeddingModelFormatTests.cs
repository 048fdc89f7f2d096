using System.Security.Cryptography;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Tests.Text;

namespace MLNet.Contrastive.Tests.Encoders;

/// <summary>Format 2 of a saved EmbeddingModel, and format-1 models (saved before it) still loading as they were trained.</summary>
[TestClass]
public sealed class EmbeddingModelFormatTests
{
    [TestMethod]
    public void Load_Format1Model_KeepsItsOriginalTokenization()
    {
        var vocabulary = TestVocabulary.WriteFile(TestVocabulary.Tokens.Append("cafe").Append("café"));
        using var model = EmbeddingModel.Create(new EncoderSpec
        {
            Width = 16, Layers = 1, Heads = 2, FeedForwardWidth = 32, MaxTokens = 16, VocabularyPath = vocabulary,
            CompactVocabulary = false, Device = DeviceKind.Cpu, Seed = 5, EncoderKind = EncoderKind.Transformer,
        });
        Assert.IsTrue(model.Tokenizer.HuggingFaceBasicTokenization);
        using var saved = new MemoryStream();
        model.Save(saved);

        using var loaded = EmbeddingModel.Load(new MemoryStream(ToFormat1(saved.ToArray())), DeviceKind.Cpu);

        Assert.IsFalse(loaded.Tokenizer.HuggingFaceBasicTokenization, "a format-1 model keeps the tokenization it was trained with");
        var cafe = TestVocabulary.Tokens.Length;
        Assert.AreEqual(cafe, model.Tokenizer.Encode("Café")[1], "now: accents stripped, as Hugging Face's uncased tokenizer does");
        Assert.AreEqual(cafe + 1, loaded.Tokenizer.Encode("Café")[1], "format 1: lower-cased, accents kept");
        CollectionAssert.AreEqual(model.Encode(["the cat sat"])[0], loaded.Encode(["the cat sat"])[0], "same weights");
    }

    // Rewrites a format-2 stream as format 1: drops the tokenizer's flag byte (after kind, MaxTokens and LowerCase).
    private static byte[] ToFormat1(byte[] v2)
    {
        const int header = 8 + 4 + 4 + 8;
        var payload = v2.AsSpan(header, v2.Length - header - 32).ToArray().ToList();
        payload.RemoveAt(1 + 4 + 1);
        var bytes = payload.ToArray();
        using var output = new MemoryStream();
        using var writer = new BinaryWriter(output);
        writer.Write(v2.AsSpan(0, 8));
        writer.Write(1);
        writer.Write(1);
        writer.Write((long)bytes.Length);
        writer.Write(bytes);
        writer.Write(SHA256.HashData(bytes));
        writer.Flush();
        return output.ToArray();
    }
}
