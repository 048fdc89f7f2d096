namespace MLNet.Contrastive.Encoders;

/// <summary>
/// Saves and loads encoders (configuration and weights) in this library's own binary format; never executes code
/// from the data. Layout: see docs/encoders.md.
/// </summary>
public static class EncoderSerializer
{
    private const int Signature = 0x45434C4D; // "MLCE"

    // Version 1: first version.
    private const int Version = 1;
    private const byte TransformerKind = 1;
    private const byte StaticKind = 2;

    /// <summary>Writes an encoder to a stream (left open).</summary>
    /// <param name="encoder">A <see cref="TransformerEncoder"/> or <see cref="StaticEncoder"/>.</param>
    /// <param name="stream">The destination.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="NotSupportedException">The encoder is of another type.</exception>
    public static void Save(TextEncoder encoder, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        Write(encoder, writer);
    }

    /// <summary>Reads an encoder written by <see cref="Save"/>, on the CPU.</summary>
    /// <param name="stream">The source (left open).</param>
    /// <returns>The encoder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="InvalidDataException">The data is not an encoder, is of a newer version, or its weights do not fit (all mismatches named).</exception>
    /// <exception cref="EndOfStreamException">The data ends early.</exception>
    public static TextEncoder Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        return Read(reader);
    }

    internal static void Write(TextEncoder encoder, BinaryWriter writer)
    {
        writer.Write(Signature);
        writer.Write(Version);
        switch (encoder)
        {
            case TransformerEncoder transformer:
                writer.Write(TransformerKind);
                transformer.Options.Write(writer);
                break;
            case StaticEncoder bag:
                writer.Write(StaticKind);
                bag.Options.Write(writer);
                break;
            default:
                throw new NotSupportedException($"Encoders of type '{encoder.GetType().FullName}' cannot be saved; TransformerEncoder and StaticEncoder can.");
        }

        TensorData.WriteAll(writer, encoder.state_dict().Select(p => (p.Key, p.Value)));
    }

    internal static TextEncoder Read(BinaryReader reader)
    {
        if (reader.ReadInt32() != Signature)
        {
            throw new InvalidDataException("Not a saved encoder: wrong signature.");
        }

        var version = reader.ReadInt32();
        if (version > Version || version < 1)
        {
            throw new InvalidDataException($"Saved encoder version {version} is not supported: this library reads versions 1 to {Version}.");
        }

        var kind = reader.ReadByte();
        TextEncoder encoder;
        try
        {
            encoder = kind switch
            {
                TransformerKind => new TransformerEncoder(TransformerEncoderOptions.Read(reader)),
                StaticKind => new StaticEncoder(StaticEncoderOptions.Read(reader)),
                _ => throw new InvalidDataException($"Saved encoder: unknown kind {kind}."),
            };
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Saved encoder: invalid configuration: {e.Message}", e);
        }

        try
        {
            TensorData.LoadInto(encoder, TensorData.ReadAll(reader), "the saved encoder");
            return encoder;
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }
}
