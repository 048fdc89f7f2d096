using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>One post-LN BERT layer: <c>attention</c>, <c>intermediate</c> (dense + GELU), <c>output</c> (dense + residual + LayerNorm).</summary>
internal sealed class BertLayer : nn.Module<Tensor, Tensor, Tensor>
{
    // Field names are the Hugging Face parameter names: RegisterComponents names submodules after fields.
    private readonly BertAttention attention;
    private readonly BertIntermediate intermediate;
    private readonly BertResidualOutput output;

    internal BertLayer(TransformerShape o)
        : base("layer")
    {
        attention = new BertAttention(o);
        intermediate = new BertIntermediate(o);
        output = new BertResidualOutput(o.FeedForwardSize, o);
        RegisterComponents();
    }

    /// <summary>Runs the layer.</summary>
    /// <param name="hidden">States <c>[n, L, d]</c>.</param>
    /// <param name="isPadKey">Boolean <c>[n, 1, 1, L]</c>, true where the key is padding.</param>
    /// <returns>The new states.</returns>
    public override Tensor forward(Tensor hidden, Tensor isPadKey)
    {
        using var scope = NewDisposeScope();
        var attended = attention.call(hidden, isPadKey);
        return output.call(intermediate.call(attended), attended).MoveToOuterDisposeScope();
    }
}
