using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>Dense, dropout, residual add and post-LayerNorm (HF <c>attention.output</c> and <c>output</c>).</summary>
internal sealed class BertResidualOutput : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear _dense;
    private readonly LayerNorm _norm;
    private readonly Dropout _dropout;

    internal BertResidualOutput(int inputSize, TransformerEncoderOptions o)
        : base("output")
    {
        _dense = nn.Linear(inputSize, o.HiddenSize);
        _norm = nn.LayerNorm(o.HiddenSize, o.LayerNormEpsilon);
        _dropout = nn.Dropout(o.Dropout);
        register_module("dense", _dense);
        register_module("LayerNorm", _norm);
        register_module("dropout", _dropout);
    }

    /// <summary>Computes <c>LayerNorm(dropout(dense(x)) + residual)</c>.</summary>
    /// <param name="x">The sub-layer output.</param>
    /// <param name="residual">The sub-layer input.</param>
    /// <returns>The new states.</returns>
    public override Tensor forward(Tensor x, Tensor residual)
    {
        using var scope = NewDisposeScope();
        return _norm.call(_dropout.call(_dense.call(x)) + residual).MoveToOuterDisposeScope();
    }
}
