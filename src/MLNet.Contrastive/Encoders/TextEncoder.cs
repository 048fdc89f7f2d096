using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>
/// A text encoder: maps a padded batch of token ids to one embedding per text.
/// </summary>
/// <remarks>
/// <para>Inputs: <c>inputIds</c>, shape <c>[n, L]</c>, <see cref="ScalarType.Int64"/>; <c>attentionMask</c>, shape
/// <c>[n, L]</c>, <see cref="ScalarType.Int64"/>, 1 for a real token and 0 for padding. Output: shape
/// <c>[n, <see cref="Dimension"/>]</c>, <see cref="ScalarType.Float32"/>.</para>
/// <para>An encoder's output for one text must not depend on the padding around it, nor on the other texts of the
/// batch (no batch normalisation): the gradient cache relies on that when it splits a batch into chunks.</para>
/// </remarks>
public abstract class TextEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Initializes a new instance of the <see cref="TextEncoder"/> class.</summary>
    /// <param name="name">The module's name.</param>
    protected TextEncoder(string name)
        : base(name)
    {
    }

    /// <summary>Gets the size of the embeddings this encoder produces.</summary>
    public abstract int Dimension { get; }
}
