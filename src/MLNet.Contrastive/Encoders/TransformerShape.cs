namespace MLNet.Contrastive.Encoders;

/// <summary>The shape of a <see cref="TransformerEncoder"/> (BERT layout). Immutable; change with <c>with</c>.</summary>
internal sealed record TransformerShape
{
    /// <summary>Gets the number of token embedding rows. Default is 30522 (BERT's uncased vocabulary).</summary>
    public int VocabularySize { get; init; } = 30522;

    /// <summary>Gets the width of the token states. Default is 256.</summary>
    public int HiddenSize { get; init; } = 256;

    /// <summary>Gets the number of transformer layers. Default is 4.</summary>
    public int LayerCount { get; init; } = 4;

    /// <summary>Gets the number of attention heads; must divide <see cref="HiddenSize"/>. Default is 4.</summary>
    public int HeadCount { get; init; } = 4;

    /// <summary>Gets the width of the feed-forward layer. Default is 1024.</summary>
    public int FeedForwardSize { get; init; } = 1024;

    /// <summary>Gets the number of position embeddings (the longest input). Default is 128.</summary>
    public int MaxLength { get; init; } = 128;

    /// <summary>Gets the number of token type rows (only row 0 is used; BERT has 2). Default is 2.</summary>
    public int TokenTypeCount { get; init; } = 2;

    /// <summary>Gets the layer normalisation epsilon. Default is 1e-12 (BERT's).</summary>
    public double LayerNormEpsilon { get; init; } = 1e-12;

    /// <summary>Gets the dropout on embeddings and sub-layer outputs. Default is 0.1.</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary>Gets the dropout on attention probabilities. Default is 0.1.</summary>
    public double AttentionDropout { get; init; } = 0.1;

    /// <summary>Gets the pooling. Default is <see cref="PoolingMode.Mean"/>.</summary>
    public PoolingMode Pooling { get; init; } = PoolingMode.Mean;

    /// <summary>Gets the size of an optional linear projection after pooling; <see langword="null"/> for none. Default is null.</summary>
    public int? OutputDimension { get; init; }

    /// <summary>Gets a value indicating whether embeddings are L2-normalised. Default is false.</summary>
    public bool Normalize { get; init; }

    /// <summary>Gets a value indicating whether attention uses libtorch's fused kernel where dropout is inactive (the
    /// same result, faster); only the benchmarks turn it off, to time the explicit softmax. Not saved. Default is true.</summary>
    internal bool FusedAttention { get; init; } = true;

    /// <summary>Gets the seed of the initial weights; <see langword="null"/> draws from TorchSharp's global generator. Default is null.</summary>
    public long? Seed { get; init; }

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, a rate is outside [0, 1), or the pooling is unknown.</exception>
    /// <exception cref="ArgumentException"><see cref="HiddenSize"/> is not a multiple of <see cref="HeadCount"/>.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(VocabularySize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(HiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegative(LayerCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(HeadCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(FeedForwardSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TokenTypeCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LayerNormEpsilon);
        CheckRate(Dropout, nameof(Dropout));
        CheckRate(AttentionDropout, nameof(AttentionDropout));
        if (HiddenSize % HeadCount != 0)
        {
            throw new ArgumentException($"HiddenSize ({HiddenSize}) must be a multiple of HeadCount ({HeadCount}).", nameof(HeadCount));
        }

        if (OutputDimension is { } output)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(output, nameof(OutputDimension));
        }

        if (!Enum.IsDefined(Pooling))
        {
            throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "Expected Mean, Cls or Max.");
        }
    }

    internal static void CheckRate(double rate, string name)
    {
        if (!(rate >= 0 && rate < 1))
        {
            throw new ArgumentOutOfRangeException(name, rate, "Expected a dropout rate in [0, 1).");
        }
    }

    /// <summary>Gets a lower bound of the weights an encoder of this shape has (its embedding tables and layer matrices):
    /// what a saved encoder must hold before one is allocated.</summary>
    internal long MinimumWeights => ((long)VocabularySize * HiddenSize) + ((long)MaxLength * HiddenSize)
        + ((long)Math.Max(LayerCount, 0) * ((4L * HiddenSize * HiddenSize) + (2L * HiddenSize * FeedForwardSize)));

    internal void Write(BinaryWriter w)
    {
        w.Write(VocabularySize); w.Write(HiddenSize); w.Write(LayerCount); w.Write(HeadCount); w.Write(FeedForwardSize);
        w.Write(MaxLength); w.Write(TokenTypeCount); w.Write(LayerNormEpsilon); w.Write(Dropout); w.Write(AttentionDropout);
        w.Write((int)Pooling); w.Write(OutputDimension ?? 0); w.Write(Normalize);
    }

    internal static TransformerShape Read(BinaryReader r)
    {
        var options = new TransformerShape
        {
            VocabularySize = r.ReadInt32(), HiddenSize = r.ReadInt32(), LayerCount = r.ReadInt32(), HeadCount = r.ReadInt32(),
            FeedForwardSize = r.ReadInt32(), MaxLength = r.ReadInt32(), TokenTypeCount = r.ReadInt32(),
            LayerNormEpsilon = r.ReadDouble(), Dropout = r.ReadDouble(), AttentionDropout = r.ReadDouble(),
            Pooling = (PoolingMode)r.ReadInt32(), OutputDimension = r.ReadInt32() is var o && o > 0 ? o : null, Normalize = r.ReadBoolean(),
        };
        return options;
    }
}
