using System.Globalization;
using MLNet.Contrastive.Interop.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>
/// A static (bag-of-tokens) encoder: the mask-aware mean of token embeddings, with an optional linear projection and
/// L2 normalisation. Fast, and a text's embedding is exactly independent of padding and of the batch.
/// </summary>
/// <remarks>Parameters: <c>embeddings.weight</c> and, with a projection, <c>projection.weight</c>/<c>projection.bias</c>.</remarks>
internal sealed class StaticEncoder : TextEncoder
{
    /// <summary>The kind byte of a saved static encoder (<see cref="EncoderSerializer"/>).</summary>
    internal const byte SerializedKind = 2;

    private const string TableName = "embeddings.weight";

    // Field names are the parameter names: RegisterComponents uses them.
    private readonly Embedding embeddings;
    private readonly Linear? projection;

    /// <summary>Initializes a new instance of the <see cref="StaticEncoder"/> class (embeddings ~ N(0, 0.02)).</summary>
    /// <param name="shape">The shape.</param>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException">A size is invalid.</exception>
    public StaticEncoder(StaticShape shape)
        : base(nameof(StaticEncoder))
    {
        ArgumentNullException.ThrowIfNull(shape);
        shape.Validate();
        Shape = shape;
        embeddings = nn.Embedding(shape.VocabularySize, shape.EmbeddingSize);
        projection = shape.OutputDimension is { } output ? nn.Linear(shape.EmbeddingSize, output) : null;
        RegisterComponents();

        WeightInit.Bert(this, shape.Seed);
    }

    /// <summary>Gets the shape this encoder was built with.</summary>
    public StaticShape Shape { get; }

    /// <inheritdoc />
    public override int Dimension => Shape.OutputDimension ?? Shape.EmbeddingSize;

    /// <inheritdoc />
    public override int VocabularySize => Shape.VocabularySize;

    /// <inheritdoc />
    public override string KindName => "static";

    /// <inheritdoc />
    public override string Description => string.Create(CultureInfo.InvariantCulture, $"static, width {Shape.EmbeddingSize}");

    /// <inheritdoc />
    public override bool NormalizesOutput => Shape.Normalize;

    /// <inheritdoc />
    public override string PoolingDescription => Shape.Normalize ? "mean of token embeddings, L2-normalised" : "mean of token embeddings";

    /// <inheritdoc />
    internal override OnnxEncoderGraph OnnxGraph => new(TableName, Shape.EmbeddingSize, PoolingMode.Mean, Shape.Normalize,
        (b, weights, _, output) => OnnxEncoderGraph.StaticTokenStates(b, weights, TableName, output));

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
        return Pooling.ProjectAndNormalize(pooled, projection, Shape.Normalize).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    internal override void WriteShape(BinaryWriter writer)
    {
        writer.Write(SerializedKind);
        Shape.Write(writer);
    }
}
