namespace MLNet.Contrastive.Encoders;

/// <summary>The shape of a <see cref="StaticEncoder"/>. Immutable; change with <c>with</c>.</summary>
internal sealed record StaticShape
{
    /// <summary>Gets the number of token embedding rows. Default is 30522.</summary>
    public int VocabularySize { get; init; } = 30522;

    /// <summary>Gets the width of the token embeddings. Default is 256.</summary>
    public int EmbeddingSize { get; init; } = 256;

    /// <summary>Gets the size of an optional linear projection after the mean; <see langword="null"/> for none. Default is null.</summary>
    public int? OutputDimension { get; init; }

    /// <summary>Gets a value indicating whether embeddings are L2-normalised. Default is false.</summary>
    public bool Normalize { get; init; }

    /// <summary>Gets the seed of the initial weights; <see langword="null"/> draws from TorchSharp's global generator. Default is null.</summary>
    public long? Seed { get; init; }

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(VocabularySize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(EmbeddingSize);
        if (OutputDimension is { } output)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(output, nameof(OutputDimension));
        }
    }

    /// <summary>Gets a lower bound of the weights an encoder of this shape has (its embedding table).</summary>
    internal long MinimumWeights => (long)VocabularySize * EmbeddingSize;

    internal void Write(BinaryWriter w)
    {
        w.Write(VocabularySize); w.Write(EmbeddingSize); w.Write(OutputDimension ?? 0); w.Write(Normalize);
    }

    internal static StaticShape Read(BinaryReader r) => new()
    {
        VocabularySize = r.ReadInt32(), EmbeddingSize = r.ReadInt32(),
        OutputDimension = r.ReadInt32() is var o && o > 0 ? o : null, Normalize = r.ReadBoolean(),
    };
}
