using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>The stack of layers (HF <c>encoder.layer.{i}</c>).</summary>
internal sealed class BertLayerStack : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly ModuleList<BertLayer> layer;

    internal BertLayerStack(TransformerShape o)
        : base("encoder")
    {
        layer = new ModuleList<BertLayer>();
        for (var i = 0; i < o.LayerCount; i++)
        {
            layer.Add(new BertLayer(o));
        }

        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor isPadKey)
    {
        using var scope = NewDisposeScope();
        foreach (var l in layer)
        {
            hidden = l.call(hidden, isPadKey);
        }

        return hidden.MoveToOuterDisposeScope();
    }
}
