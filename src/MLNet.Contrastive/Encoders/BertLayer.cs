using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>One post-LN BERT layer: attention (<c>self</c> + <c>output</c>), <c>intermediate</c> (dense + GELU), <c>output</c>.</summary>
internal sealed class BertLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly BertSelfAttention _self;
    private readonly BertResidualOutput _attentionOutput;
    private readonly Linear _intermediate;
    private readonly BertResidualOutput _output;

    internal BertLayer(TransformerEncoderOptions o)
        : base("layer")
    {
        _self = new BertSelfAttention(o);
        _attentionOutput = new BertResidualOutput(o.HiddenSize, o);
        _intermediate = nn.Linear(o.HiddenSize, o.FeedForwardSize);
        _output = new BertResidualOutput(o.FeedForwardSize, o);

        // Hugging Face nests these one level deeper than the code needs: attention.{self,output}, intermediate.dense.
        var attention = new ModuleDict<nn.Module>();
        attention.Add(("self", _self));
        attention.Add(("output", _attentionOutput));
        var intermediate = new ModuleDict<nn.Module>();
        intermediate.Add(("dense", _intermediate));
        register_module("attention", attention);
        register_module("intermediate", intermediate);
        register_module("output", _output);
    }

    /// <summary>Runs the layer.</summary>
    /// <param name="hidden">States <c>[n, L, d]</c>.</param>
    /// <param name="isPadKey">Boolean <c>[n, 1, 1, L]</c>, true where the key is padding.</param>
    /// <returns>The new states.</returns>
    public override Tensor forward(Tensor hidden, Tensor isPadKey)
    {
        using var scope = NewDisposeScope();
        var attended = _attentionOutput.call(_self.call(hidden, isPadKey), hidden);
        var expanded = nn.functional.gelu(_intermediate.call(attended));
        return _output.call(expanded, attended).MoveToOuterDisposeScope();
    }
}
