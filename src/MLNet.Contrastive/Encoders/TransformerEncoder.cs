using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>
/// A BERT-style transformer encoder: token, position and token-type-0 embeddings, post-LN layers of multi-head
/// self-attention (key padding mask) and GELU feed-forward, mask-aware pooling, optional projection and L2 normalisation.
/// </summary>
/// <remarks>Parameter names are Hugging Face BERT's (<c>embeddings.word_embeddings.weight</c>,
/// <c>encoder.layer.0.attention.self.query.weight</c>, ...) plus <c>projection.*</c>, so
/// <see cref="Interop.HuggingFace.BertCheckpoint"/> imports BERT weights one to one. With mean or max pooling, a text's embedding does
/// not depend on padding or on the other texts of the batch.</remarks>
public sealed class TransformerEncoder : TextEncoder
{
    // Field names are the parameter names (Hugging Face BERT's, plus projection): RegisterComponents uses them.
    private readonly BertEmbeddings embeddings;
    private readonly BertLayerStack encoder;
    private readonly Linear? projection;

    /// <summary>Initializes a new instance of the <see cref="TransformerEncoder"/> class with BERT's initialisation.</summary>
    /// <param name="options">The shape.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid (see <see cref="TransformerEncoderOptions.Validate"/>).</exception>
    public TransformerEncoder(TransformerEncoderOptions options)
        : base(nameof(TransformerEncoder))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        embeddings = new BertEmbeddings(options);
        encoder = new BertLayerStack(options);
        projection = options.OutputDimension is { } output ? nn.Linear(options.HiddenSize, output) : null;
        RegisterComponents();
        WeightInit.Bert(this, options.Seed);
    }

    /// <summary>Gets the options this encoder was built with.</summary>
    public TransformerEncoderOptions Options { get; }

    /// <inheritdoc />
    public override int Dimension => Options.OutputDimension ?? Options.HiddenSize;

    /// <summary>Encodes a padded batch.</summary>
    /// <param name="inputIds">Token ids <c>[n, L]</c>, int64, L at most <see cref="TransformerEncoderOptions.MaxLength"/>.</param>
    /// <param name="attentionMask">Mask <c>[n, L]</c>, int64, 1 for tokens and 0 for padding.</param>
    /// <returns>Embeddings <c>[n, Dimension]</c>, float32.</returns>
    /// <exception cref="ArgumentException">A shape or type is wrong, the sequences are too long, or the batch exceeds
    /// <see cref="AttentionBudget.MaxScores"/> (checked before libtorch is called).</exception>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        Pooling.CheckInputs(inputIds, attentionMask, Options.MaxLength);
        AttentionBudget.CheckBatch(inputIds.shape[0], inputIds.shape[1], Options.HeadCount);
        using var scope = NewDisposeScope();
        var hidden = TokenStates(inputIds, attentionMask);
        var pooled = Pooling.Apply(hidden, attentionMask, Options.Pooling);
        return Pooling.ProjectAndNormalize(pooled, projection, Options.Normalize).MoveToOuterDisposeScope();
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
}
