using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>The feed-forward expansion with exact (erf) GELU (HF <c>intermediate.dense</c>, <c>hidden_act = gelu</c>).</summary>
internal sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;

    internal BertIntermediate(TransformerShape o)
        : base("intermediate")
    {
        dense = nn.Linear(o.HiddenSize, o.FeedForwardSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return nn.functional.gelu(dense.call(hidden)).MoveToOuterDisposeScope();
    }
}
