using System.Security.Cryptography;
using System.Text;
using MLNet.Contrastive.Text;

namespace MLNet.Contrastive.Encoders;

/// <summary>Saving and loading (layout in docs/encoders.md).</summary>
public sealed partial class EmbeddingModel
{
    private static readonly byte[] Signature = "MLNCEMB\0"u8.ToArray();

    // Version 1: first version (tokenizer, optional vocabulary map, encoder; SHA-256 of the payload).
    // Version 2: a BERT tokenizer also stores whether it tokenizes exactly as Hugging Face's BertTokenizer (one byte
    //            after LowerCase); version-1 models load with the tokenization they were trained with.
    // Version 3: after the encoder, int32 the truncated dimension (a model that gives a Matryoshka prefix of its
    //            encoder's embeddings). Written only by such a model, which a version-2 reader must refuse (it would
    //            give the whole embeddings); every other model is still written as version 2.
    private const int CurrentVersion = 3;
    private const int MinimumReadableVersion = 2;

    /// <summary>Writes the whole model (tokenizer, vocabulary map, encoder configuration and weights) to a stream (left open).</summary>
    /// <param name="stream">The destination.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="NotSupportedException">The tokenizer (or encoder) is a user-supplied kind that cannot be saved; the message names its type.</exception>
    /// <exception cref="InvalidOperationException">A weight is NaN or infinite; nothing is written to <paramref name="stream"/>.</exception>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            Tokenizer.Save(writer);
            writer.Write(VocabularyMap is not null);
            VocabularyMap?.Save(writer);
            EncoderSerializer.Write(Encoder, writer);
            if (TruncatedDimension is { } truncated)
            {
                writer.Write(truncated);
            }
        }

        var bytes = payload.ToArray();
        var version = TruncatedDimension is null ? MinimumReadableVersion : CurrentVersion;
        using var output = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        output.Write(Signature);
        output.Write(version);
        output.Write(version);
        output.Write((long)bytes.Length);
        output.Write(bytes);
        output.Write(SHA256.HashData(bytes));
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <param name="stream">The source (left open).</param>
    /// <param name="device">Where to run the loaded model.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="InvalidDataException">The stream is not a saved model, is truncated, corrupted or forged (declared
    /// sizes beyond the bytes present, NaN or infinite weights), or was written by a newer, incompatible version.</exception>
    /// <exception cref="InvalidOperationException">CUDA was requested but is not available, or libtorch cannot be loaded (see <see cref="TorchRuntime.EnsureLoaded"/>).</exception>
    public static EmbeddingModel Load(Stream stream, DeviceKind device = DeviceKind.Auto)
    {
        ArgumentNullException.ThrowIfNull(stream);
        TorchRuntime.EnsureLoaded();
        using var input = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var header = ReadExactly(input, Signature.Length + 16, "header");
        if (!header.AsSpan(0, Signature.Length).SequenceEqual(Signature))
        {
            throw new InvalidDataException("Not a saved EmbeddingModel: the stream does not start with the signature 'MLNCEMB'.");
        }

        var written = BitConverter.ToInt32(header, Signature.Length);
        var minimum = BitConverter.ToInt32(header, Signature.Length + 4);
        if (minimum > CurrentVersion)
        {
            throw new InvalidDataException(
                $"The EmbeddingModel was written with format version {written} and needs a reader of version {minimum} or later; this library reads up to version {CurrentVersion}. Update MLNet.Contrastive.");
        }

        var length = BitConverter.ToInt64(header, Signature.Length + 8);
        if (length <= 0 || length > Array.MaxLength)
        {
            throw new InvalidDataException($"The EmbeddingModel stream is corrupted: invalid payload length {length}.");
        }

        var payload = ReadExactly(input, (int)length, "payload");
        var hash = ReadExactly(input, 32, "checksum");
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(hash))
        {
            throw new InvalidDataException("The EmbeddingModel stream is corrupted: its SHA-256 checksum does not match its content.");
        }

        using var reader = new BinaryReader(new MemoryStream(payload, writable: false), Encoding.UTF8);
        try
        {
            var tokenizer = TextTokenizer.Read(reader, hasBasicTokenizationFlag: written >= 2);
            var map = reader.ReadBoolean() ? VocabularyMap.Read(reader) : null;
            var encoder = EncoderSerializer.Read(reader);
            int? truncated = written >= 3 ? reader.ReadInt32() : null;
            if (truncated is { } t && (t < 1 || t >= encoder.Dimension))
            {
                encoder.Dispose();
                throw new InvalidDataException($"The EmbeddingModel stream is inconsistent: truncated dimension {t} for an encoder of dimension {encoder.Dimension}.");
            }

            return Own(encoder, e => new EmbeddingModel(tokenizer, e, map, device, truncated));
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException)
        {
            throw new InvalidDataException($"The EmbeddingModel stream is inconsistent: {e.Message}", e);
        }
    }

    // Never allocates more than the bytes present: a seekable stream is checked first, another is read in pieces.
    private static byte[] ReadExactly(BinaryReader reader, int count, string part)
    {
        var stream = reader.BaseStream;
        if (stream.CanSeek && stream.Length - stream.Position < count)
        {
            throw new InvalidDataException($"The EmbeddingModel stream is truncated or forged: its {part} needs {count:N0} bytes but only {stream.Length - stream.Position:N0} remain.");
        }

        if (stream.CanSeek || count <= (1 << 20))
        {
            var bytes = reader.ReadBytes(count);
            return bytes.Length == count ? bytes
                : throw new InvalidDataException($"The EmbeddingModel stream is truncated: its {part} needs {count:N0} bytes but only {bytes.Length:N0} remain.");
        }

        using var buffer = new MemoryStream();
        var piece = new byte[1 << 20];
        while (buffer.Length < count)
        {
            var read = reader.Read(piece, 0, (int)Math.Min(piece.Length, count - buffer.Length));
            if (read == 0)
            {
                throw new InvalidDataException($"The EmbeddingModel stream is truncated: its {part} needs {count:N0} bytes but only {buffer.Length:N0} remain.");
            }

            buffer.Write(piece, 0, read);
        }

        return buffer.ToArray();
    }
}
