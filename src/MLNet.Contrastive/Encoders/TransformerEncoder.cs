using System.Globalization;
using MLNet.Contrastive.Interop.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>
/// A BERT-style transformer encoder: token, position and token-type-0 embeddings, post-LN layers of multi-head
/// self-attention (key padding mask) and GELU feed-forward, mask-aware pooling, optional projection and L2 normalisation.
/// </summary>
/// <remarks>Parameter names are Hugging Face BERT's (<c>embeddings.word_embeddings.weight</c>,
/// <c>encoder.layer.0.attention.self.query.weight</c>, ...) plus <c>projection.*</c>, so
/// <see cref="Interop.HuggingFace.BertCheckpoint"/> imports BERT weights one to one. With mean or max pooling, a text's
/// embedding does not depend on padding or on the other texts of the batch.</remarks>
internal sealed class TransformerEncoder : TextEncoder
{
    /// <summary>The kind byte of a saved Transformer (<see cref="EncoderSerializer"/>).</summary>
    internal const byte SerializedKind = 1;

    /// <summary>The name of the token embedding table.</summary>
    internal const string WordEmbeddingsName = "embeddings.word_embeddings.weight";

    // Field names are the parameter names (Hugging Face BERT's, plus projection): RegisterComponents uses them.
    private readonly BertEmbeddings embeddings;
    private readonly BertLayerStack encoder;
    private readonly Linear? projection;

    /// <summary>Initializes a new instance of the <see cref="TransformerEncoder"/> class with BERT's initialisation.</summary>
    /// <param name="shape">The shape.</param>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException">A size is invalid (see <see cref="TransformerShape.Validate"/>).</exception>
    public TransformerEncoder(TransformerShape shape)
        : base(nameof(TransformerEncoder))
    {
        ArgumentNullException.ThrowIfNull(shape);
        shape.Validate();
        Shape = shape;
        embeddings = new BertEmbeddings(shape);
        encoder = new BertLayerStack(shape);
        projection = shape.OutputDimension is { } output ? nn.Linear(shape.HiddenSize, output) : null;
        RegisterComponents();
        WeightInit.Bert(this, shape.Seed);
    }

    /// <summary>Gets the shape this encoder was built with.</summary>
    public TransformerShape Shape { get; }

    /// <inheritdoc />
    public override int Dimension => Shape.OutputDimension ?? Shape.HiddenSize;

    /// <inheritdoc />
    public override int VocabularySize => Shape.VocabularySize;

    /// <inheritdoc />
    public override int MaxLength => Shape.MaxLength;

    /// <inheritdoc />
    public override int LayerCount => Shape.LayerCount;

    /// <inheritdoc />
    public override string KindName => "transformer";

    /// <inheritdoc />
    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"transformer, {Shape.LayerCount} layers, width {Shape.HiddenSize}, {Shape.HeadCount} heads");

    /// <inheritdoc />
    public override bool NormalizesOutput => Shape.Normalize;

    /// <inheritdoc />
    public override string PoolingDescription =>
        Shape.Pooling.ToString().ToLowerInvariant() + (Shape.Normalize ? ", L2-normalised" : string.Empty);

    /// <inheritdoc />
    internal override OnnxEncoderGraph OnnxGraph => new(WordEmbeddingsName, Shape.HiddenSize, Shape.Pooling, Shape.Normalize,
        (b, weights, isPad, output) => OnnxBertGraph.TokenStates(b, weights, Shape, isPad, output));

    /// <inheritdoc />
    public override long AttentionScoresPerSquaredLength(bool withAutograd) =>
        (long)Shape.HeadCount * (withAutograd ? Math.Max(1, Shape.LayerCount) : 1);

    /// <summary>Encodes a padded batch.</summary>
    /// <param name="inputIds">Token ids <c>[n, L]</c>, int64, L at most <see cref="TransformerShape.MaxLength"/>.</param>
    /// <param name="attentionMask">Mask <c>[n, L]</c>, int64, 1 for tokens and 0 for padding.</param>
    /// <returns>Embeddings <c>[n, Dimension]</c>, float32.</returns>
    /// <exception cref="ArgumentException">A shape or type is wrong, the sequences are too long, or the batch exceeds
    /// <see cref="AttentionBudget.MaxScores"/> (checked before libtorch is called).</exception>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        Pooling.CheckInputs(inputIds, attentionMask, Shape.MaxLength);
        AttentionBudget.CheckBatch(inputIds.shape[0], inputIds.shape[1], Shape.HeadCount);
        using var scope = NewDisposeScope();
        var hidden = TokenStates(inputIds, attentionMask);
        var pooled = Pooling.Apply(hidden, attentionMask, Shape.Pooling);
        return Pooling.ProjectAndNormalize(pooled, projection, Shape.Normalize).MoveToOuterDisposeScope();
    }

    /// <summary>The last layer's token states <c>[n, L, HiddenSize]</c>, before pooling (the ONNX export's <c>last_hidden_state</c>).</summary>
    /// <param name="inputIds">Token ids <c>[n, L]</c>, int64, already checked.</param>
    /// <param name="attentionMask">Mask <c>[n, L]</c>, int64, 1 for tokens and 0 for padding.</param>
    /// <returns>The states (in the caller's dispose scope).</returns>
    internal Tensor TokenStates(Tensor inputIds, Tensor attentionMask)
    {
        var isPadKey = attentionMask.eq(0).unsqueeze(1).unsqueeze(2);
        return encoder.call(embeddings.call(inputIds), isPadKey);
    }

    /// <inheritdoc />
    internal override void WriteShape(BinaryWriter writer)
    {
        writer.Write(SerializedKind);
        Shape.Write(writer);
    }
}
