using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>Self-attention followed by its residual output (HF <c>attention.self</c> and <c>attention.output</c>).</summary>
internal sealed class BertAttention : nn.Module<Tensor, Tensor, Tensor>
{
    // Field names are the Hugging Face parameter names: RegisterComponents names submodules after fields.
    private readonly BertSelfAttention self;
    private readonly BertResidualOutput output;

    internal BertAttention(TransformerShape o)
        : base("attention")
    {
        self = new BertSelfAttention(o);
        output = new BertResidualOutput(o.HiddenSize, o);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor isPadKey)
    {
        using var scope = NewDisposeScope();
        return output.call(self.call(hidden, isPadKey), hidden).MoveToOuterDisposeScope();
    }
}
