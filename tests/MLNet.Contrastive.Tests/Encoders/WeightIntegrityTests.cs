using System.Security.Cryptography;
using MLNet.Contrastive.Encoders;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Encoders;

[TestClass]
[DoNotParallelize]
public sealed class WeightIntegrityTests
{
    private static EmbeddingModel SmallModel() => EmbeddingModel.Create(
        new EncoderSpec
        {
            EncoderKind = EncoderKind.Transformer, Width = 16, Layers = 1, Heads = 2, FeedForwardWidth = 32, MaxTokens = 16,
            EmbeddingDimension = 8, Normalize = true, Device = DeviceKind.Cpu, Seed = 11,
        },
        ["the quick brown fox", "hello world"]);

    /// <summary>Sets the last float of the payload (the last weight) to NaN and recomputes the checksum: a forged file.</summary>
    internal static byte[] ForgeNaN(byte[] saved)
    {
        const int header = 8 + 4 + 4 + 8;
        var payloadLength = (int)BitConverter.ToInt64(saved, header - 8);
        BitConverter.TryWriteBytes(saved.AsSpan(header + payloadLength - 4, 4), float.NaN);
        SHA256.HashData(saved.AsSpan(header, payloadLength)).CopyTo(saved.AsSpan(header + payloadLength));
        return saved;
    }

    [TestMethod]
    public void Load_NaNWeight_RefusedNamingTheTensor()
    {
        using var model = SmallModel();
        using var stream = new MemoryStream();
        model.Save(stream);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => EmbeddingModel.Load(new MemoryStream(ForgeNaN(stream.ToArray())), DeviceKind.Cpu));

        StringAssert.Contains(e.Message, "NaN");
        StringAssert.Contains(e.Message, "Tensor '");
    }

    [TestMethod]
    public void Save_InfiniteWeight_RefusedAndNothingWritten()
    {
        using var model = SmallModel();
        using (no_grad())
        {
            model.Encoder.parameters().First()[0, 0] = float.PositiveInfinity;
        }

        using var stream = new MemoryStream();
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => model.Save(stream));

        StringAssert.Contains(e.Message, "not finite");
        Assert.AreEqual(0L, stream.Length, "nothing is written");
    }

    [TestMethod]
    public void Load_ConfigurationDeclaringHugeWeights_RefusedBeforeAllocating()
    {
        using var encoder = new TransformerEncoder(TinyEncoders.Transformer());
        using var stream = new MemoryStream();
        EncoderSerializer.Save(encoder, stream);
        var bytes = stream.ToArray();
        // VocabularySize (after signature, version and kind): 1e9 rows x 16 = 64 GB of weights in a file of a few KB.
        BitConverter.TryWriteBytes(bytes.AsSpan(9, 4), 1_000_000_000);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => EncoderSerializer.Load(new MemoryStream(bytes)));

        StringAssert.Contains(e.Message, "declares at least 16,000,");
    }

    [TestMethod]
    public void Load_TensorDeclaringMoreBytesThanPresent_RefusedBeforeAllocating()
    {
        using var encoder = new TransformerEncoder(TinyEncoders.Transformer());
        using var stream = new MemoryStream();
        EncoderSerializer.Save(encoder, stream);
        var bytes = stream.ToArray();
        var first = encoder.state_dict().First();
        // The first tensor's first dimension: find its int64 after its name, dtype byte and rank.
        var name = System.Text.Encoding.UTF8.GetBytes(first.Key);
        var at = bytes.AsSpan().IndexOf(name) + name.Length + 1 + 4;
        Assert.AreEqual(first.Value.shape[0], BitConverter.ToInt64(bytes, at), "located the first dimension");
        // 250 million floats (1 GB) declared in a stream of a few KB.
        BitConverter.TryWriteBytes(bytes.AsSpan(at, 8), 250_000_000L / first.Value.shape[1]);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => EncoderSerializer.Load(new MemoryStream(bytes)));

        StringAssert.Contains(e.Message, first.Key);
        StringAssert.Contains(e.Message, "bytes remain");
    }
}
