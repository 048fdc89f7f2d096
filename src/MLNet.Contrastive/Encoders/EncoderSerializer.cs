namespace MLNet.Contrastive.Encoders;

/// <summary>
/// Saves and loads encoders (configuration and weights) in this library's own binary format; never executes code
/// from the data. Layout: see docs/encoders.md.
/// </summary>
internal static class EncoderSerializer
{
    private const int Signature = 0x45434C4D; // "MLCE"

    // Version 1: first version.
    private const int Version = 1;

    /// <summary>Writes an encoder to a stream (left open).</summary>
    /// <param name="encoder">A <see cref="TransformerEncoder"/> or <see cref="StaticEncoder"/>.</param>
    /// <param name="stream">The destination.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="NotSupportedException">The encoder is of another type.</exception>
    /// <exception cref="InvalidOperationException">A weight is NaN or infinite (nothing useful can be saved).</exception>
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
    /// <exception cref="InvalidDataException">The data is not an encoder, is of a newer version, declares more weights
    /// than it holds, holds NaN or infinite weights, or its weights do not fit (all mismatches named).</exception>
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
        encoder.WriteShape(writer);
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

        // The one place that maps a saved kind to an encoder type.
        var kind = reader.ReadByte();
        var encoderOf = kind switch
        {
            TransformerEncoder.SerializedKind => Transformer(TransformerShape.Read(reader)),
            StaticEncoder.SerializedKind => Static(StaticShape.Read(reader)),
            _ => throw new InvalidDataException($"Saved encoder: unknown kind {kind}."),
        };

        // The weights are read (each checked against the bytes present) before the encoder that the configuration
        // declares is allocated, so a forged configuration cannot make the loader allocate what the data does not hold.
        var tensors = TensorData.ReadAll(reader);
        var present = tensors.Values.Sum(t => (long)t.Values.Length);
        var declared = encoderOf.MinimumWeights;
        if (declared > present)
        {
            throw new InvalidDataException(
                $"Saved encoder: the configuration declares at least {declared:N0} weights but the data holds {present:N0}: it is truncated or forged.");
        }

        TextEncoder encoder;
        try
        {
            encoder = encoderOf.Create();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Saved encoder: invalid configuration: {e.Message}", e);
        }

        try
        {
            TensorData.LoadInto(encoder, tensors, "the saved encoder");
            return encoder;
        }
        catch
        {
            encoder.Dispose();
            throw;
        }

        static (Func<TextEncoder> Create, long MinimumWeights) Transformer(TransformerShape shape) => (() => new TransformerEncoder(shape), shape.MinimumWeights);
        static (Func<TextEncoder> Create, long MinimumWeights) Static(StaticShape shape) => (() => new StaticEncoder(shape), shape.MinimumWeights);
    }
}
