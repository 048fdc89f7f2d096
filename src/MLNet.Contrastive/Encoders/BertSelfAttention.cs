using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>Multi-head scaled dot-product self-attention with a key padding mask (HF <c>attention.self</c>).</summary>
/// <remarks>
/// Where attention dropout is inactive (evaluation, or a rate of 0) the scores go through libtorch's fused
/// <c>scaled_dot_product_attention</c>, which on CPU is faster than the explicit softmax for the same result, and more
/// so for longer texts (docs/benchmarks.md, suite e, has the measurements). Where dropout is active, libtorch's fused
/// kernel falls back to its own unfused path, which is no faster, so the explicit path below stays: its dropout draws
/// from the generator in the order that the gradient cache replays.
/// </remarks>
internal sealed class BertSelfAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly Dropout dropout;
    private readonly int heads;
    private readonly int headSize;
    private readonly bool fusedKernel;

    internal BertSelfAttention(TransformerShape o)
        : base("self")
    {
        heads = o.HeadCount;
        headSize = o.HiddenSize / o.HeadCount;
        query = nn.Linear(o.HiddenSize, o.HiddenSize);
        key = nn.Linear(o.HiddenSize, o.HiddenSize);
        value = nn.Linear(o.HiddenSize, o.HiddenSize);
        dropout = nn.Dropout(o.AttentionDropout);
        fusedKernel = o.FusedAttention;
        RegisterComponents();
    }

    /// <summary>Attends.</summary>
    /// <param name="hidden">States <c>[n, L, d]</c>.</param>
    /// <param name="isPadKey">Boolean <c>[n, 1, 1, L]</c>, true where the key is padding.</param>
    /// <returns>The context <c>[n, L, d]</c>.</returns>
    public override Tensor forward(Tensor hidden, Tensor isPadKey)
    {
        using var scope = NewDisposeScope();
        var n = hidden.shape[0];
        var length = hidden.shape[1];
        Tensor Heads(Tensor t) => t.view(n, length, heads, headSize).transpose(1, 2);
        var q = Heads(query.call(hidden));
        var k = Heads(key.call(hidden));
        var v = Heads(value.call(hidden));
        if (fusedKernel && (!training || dropout.p == 0))
        {
            // The fused kernel's boolean mask is true where a key takes part.
            var fused = nn.functional.scaled_dot_product_attention(q, k, v, isPadKey.logical_not());
            return fused.transpose(1, 2).reshape(n, length, heads * headSize).MoveToOuterDisposeScope();
        }

        var scores = q.matmul(k.transpose(-1, -2)) / Math.Sqrt(headSize);

        // Masked keys get the lowest float: after the max subtraction their exp is exactly 0.
        scores = scores.masked_fill(isPadKey, float.MinValue);
        var probs = dropout.call(nn.functional.softmax(scores, -1));
        var context = probs.matmul(v).transpose(1, 2).reshape(n, length, heads * headSize);
        return context.MoveToOuterDisposeScope();
    }
}
