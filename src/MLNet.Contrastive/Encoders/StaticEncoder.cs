using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>
/// A static (bag-of-tokens) encoder: the mask-aware mean of token embeddings, with an optional linear projection and
/// L2 normalisation. Fast, and a text's embedding is exactly independent of padding and of the batch.
/// </summary>
/// <remarks>Parameters: <c>embeddings.weight</c> and, with a projection, <c>projection.weight</c>/<c>projection.bias</c>.</remarks>
public sealed class StaticEncoder : TextEncoder
{
    // Field names are the parameter names: RegisterComponents uses them.
    private readonly Embedding embeddings;
    private readonly Linear? projection;

    /// <summary>Initializes a new instance of the <see cref="StaticEncoder"/> class (embeddings ~ N(0, 0.02)).</summary>
    /// <param name="options">The shape.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public StaticEncoder(StaticEncoderOptions options)
        : base(nameof(StaticEncoder))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        embeddings = nn.Embedding(options.VocabularySize, options.EmbeddingSize);
        projection = options.OutputDimension is { } output ? nn.Linear(options.EmbeddingSize, output) : null;
        RegisterComponents();

        WeightInit.Bert(this, options.Seed);
    }

    /// <summary>Gets the options this encoder was built with.</summary>
    public StaticEncoderOptions Options { get; }

    /// <inheritdoc />
    public override int Dimension => Options.OutputDimension ?? Options.EmbeddingSize;

    /// <summary>Encodes a padded batch.</summary>
    /// <param name="inputIds">Token ids <c>[n, L]</c>, int64.</param>
    /// <param name="attentionMask">Mask <c>[n, L]</c>, int64, 1 for tokens and 0 for padding.</param>
    /// <returns>Embeddings <c>[n, Dimension]</c>, float32.</returns>
    /// <exception cref="ArgumentException">A shape or type is wrong.</exception>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        Pooling.CheckInputs(inputIds, attentionMask, 0);
        using var scope = NewDisposeScope();
        var pooled = Pooling.Apply(embeddings.call(inputIds), attentionMask, PoolingMode.Mean);
        return Pooling.ProjectAndNormalize(pooled, projection, Options.Normalize).MoveToOuterDisposeScope();
    }
}
