using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>Dense, dropout, residual add and post-LayerNorm (HF <c>attention.output</c> and <c>output</c>).</summary>
internal sealed class BertResidualOutput : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear dense;
#pragma warning disable IDE1006 // Hugging Face's parameter name is "LayerNorm": RegisterComponents names the submodule after the field.
    private readonly LayerNorm LayerNorm;
#pragma warning restore IDE1006
    private readonly Dropout dropout;

    internal BertResidualOutput(int inputSize, TransformerShape o)
        : base("output")
    {
        dense = nn.Linear(inputSize, o.HiddenSize);
        LayerNorm = nn.LayerNorm(o.HiddenSize, o.LayerNormEpsilon);
        dropout = nn.Dropout(o.Dropout);
        RegisterComponents();
    }

    /// <summary>Computes <c>LayerNorm(dropout(dense(x)) + residual)</c>.</summary>
    /// <param name="x">The sub-layer output.</param>
    /// <param name="residual">The sub-layer input.</param>
    /// <returns>The new states.</returns>
    public override Tensor forward(Tensor x, Tensor residual)
    {
        using var scope = NewDisposeScope();
        return LayerNorm.call(dropout.call(dense.call(x)) + residual).MoveToOuterDisposeScope();
    }
}
