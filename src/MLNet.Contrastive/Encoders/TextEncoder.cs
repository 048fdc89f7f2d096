using MLNet.Contrastive.Interop.Onnx;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>
/// A text encoder: maps a padded batch of token ids to one embedding per text. The hierarchy is closed (the library's
/// <see cref="TransformerEncoder"/> and <see cref="StaticEncoder"/>): what the rest of the library needs to know about an
/// encoder (its tables, its cost, how it is saved, exported and described) is asked of the encoder itself, never found
/// by testing its type.
/// </summary>
/// <remarks>
/// <para>Inputs: <c>inputIds</c>, shape <c>[n, L]</c>, <see cref="ScalarType.Int64"/>; <c>attentionMask</c>, shape
/// <c>[n, L]</c>, <see cref="ScalarType.Int64"/>, 1 for a real token and 0 for padding. Output: shape
/// <c>[n, <see cref="Dimension"/>]</c>, <see cref="ScalarType.Float32"/>.</para>
/// <para>An encoder's output for one text must not depend on the padding around it, nor on the other texts of the
/// batch (no batch normalisation): the gradient cache relies on that when it splits a batch into chunks.</para>
/// <para>The defaults of the virtual members describe an encoder that has no table, no attention and no layers, and
/// that can be neither saved nor exported (the test doubles are such encoders).</para>
/// </remarks>
internal abstract class TextEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Initializes a new instance of the <see cref="TextEncoder"/> class.</summary>
    /// <param name="name">The module's name.</param>
    protected TextEncoder(string name)
        : base(name)
    {
    }

    /// <summary>Gets the size of the embeddings this encoder produces.</summary>
    public abstract int Dimension { get; }

    /// <summary>Gets the rows of the token embedding table: every id must be below it (checked before libtorch sees it).</summary>
    public virtual int VocabularySize => int.MaxValue;

    /// <summary>Gets the longest input the encoder takes (its position table), or <see cref="int.MaxValue"/> for no limit.</summary>
    public virtual int MaxLength => int.MaxValue;

    /// <summary>Gets the Transformer layers the encoder has (what <c>FrozenLayers</c> can freeze).</summary>
    public virtual int LayerCount => 0;

    /// <summary>Gets the short name of the encoder's kind, as in the generator's default model id (<c>transformer</c>, <c>static</c>).</summary>
    public virtual string KindName => GetType().Name.ToLowerInvariant();

    /// <summary>Gets the model card's description of the encoder, e.g. <c>transformer, 2 layers, width 128, 4 heads</c>.</summary>
    public virtual string Description => GetType().Name;

    /// <summary>Gets the model card's description of the pooling, e.g. <c>mean</c> or <c>cls, L2-normalised</c>.</summary>
    public virtual string PoolingDescription => "encoder-defined";

    /// <summary>Gets a value indicating whether the embeddings are L2-normalised (so a prefix of one is normalised again).</summary>
    public virtual bool NormalizesOutput => false;

    /// <summary>Gets the attention scores one text of squared length costs in one forward pass: the heads, times the
    /// layers when <paramref name="withAutograd"/> (every layer's are kept for the backward); 0 without attention.</summary>
    /// <param name="withAutograd">Whether the forward keeps every layer's activations for a backward pass.</param>
    /// <returns>The factor of <see cref="AttentionBudget.Scores"/>.</returns>
    public virtual long AttentionScoresPerSquaredLength(bool withAutograd) => 0;

    /// <summary>Gets how the encoder is written as ONNX nodes, or <see langword="null"/> when it cannot be exported.</summary>
    internal virtual OnnxEncoderGraph? OnnxGraph => null;

    /// <summary>Writes the encoder's kind and shape (<see cref="EncoderSerializer"/>; the weights follow).</summary>
    /// <param name="writer">The destination.</param>
    /// <exception cref="NotSupportedException">The encoder cannot be saved.</exception>
    internal virtual void WriteShape(BinaryWriter writer) =>
        throw new NotSupportedException($"Encoders of type '{GetType().FullName}' cannot be saved; TransformerEncoder and StaticEncoder can.");
}
