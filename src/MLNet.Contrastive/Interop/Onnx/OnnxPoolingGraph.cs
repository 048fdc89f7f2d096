using MLNet.Contrastive.Encoders;

namespace MLNet.Contrastive.Interop.Onnx;

/// <summary>
/// The encoders' common tail as graph nodes, computed exactly as <see cref="Pooling"/> does: mask-aware pooling,
/// then the optional projection, then optional L2 normalisation.
/// </summary>
internal static class OnnxPoolingGraph
{
    /// <summary>Pools <c>[batch, sequence, width]</c> states to <c>[batch, width]</c>, ignoring positions whose mask is 0.</summary>
    /// <param name="b">The builder.</param>
    /// <param name="states">The token states.</param>
    /// <param name="isPad">The boolean <c>[batch, sequence]</c> value, true where <c>attention_mask</c> is 0.</param>
    /// <param name="mode">The pooling.</param>
    /// <returns>The pooled value.</returns>
    internal static string Pool(OnnxGraphBuilder b, string states, string isPad, PoolingMode mode)
    {
        switch (mode)
        {
            case PoolingMode.Cls:
                return b.Node("Gather", [states, b.Int64s([0], scalar: true)], null, OnnxGraphBuilder.Int("axis", 1));
            case PoolingMode.Max:
                var padded = b.Node("Where", [b.Node("Unsqueeze", [isPad, b.Int64s([2])]), b.Scalar(float.NegativeInfinity), states]);
                return b.Node("ReduceMax", [padded], null, OnnxGraphBuilder.Ints("axes", 1), OnnxGraphBuilder.Int("keepdims", 0));
            case PoolingMode.Mean:
                // The mask itself is the weight (as Pooling: 0 for padding), and the count is clamped at 1.
                var mask = b.Node("Cast", [b.Node("Unsqueeze", [OnnxEncoderExporter.AttentionMask, b.Int64s([2])])], null, OnnxGraphBuilder.Int("to", 1));
                var axis = b.Int64s([1]);
                var keep = OnnxGraphBuilder.Int("keepdims", 0);
                var sum = b.Node("ReduceSum", [b.Node("Mul", [states, mask]), axis], null, keep);
                var count = b.Node("Max", [b.Node("ReduceSum", [mask, axis], null, keep), b.Scalar(1f)]);
                return b.Node("Div", [sum, count]);
            default:
                throw new NotSupportedException($"ONNX export: pooling '{mode}' is not supported; expected Mean, Cls or Max.");
        }
    }

    /// <summary>The optional projection (<c>projection.weight</c>/<c>projection.bias</c>), then optional L2 normalisation.</summary>
    /// <param name="b">The builder.</param>
    /// <param name="pooled">The pooled value.</param>
    /// <param name="weights">The encoder's tensors.</param>
    /// <param name="normalize">Whether to L2-normalise.</param>
    /// <param name="output">The name of the result.</param>
    /// <returns><paramref name="output"/>.</returns>
    internal static string ProjectAndNormalize(OnnxGraphBuilder b, string pooled, IReadOnlyDictionary<string, TensorData> weights, bool normalize, string output)
    {
        var projected = weights.ContainsKey("projection.weight") ? b.Linear(pooled, "projection", weights, normalize ? null : output) : pooled;
        return Normalize(b, projected, normalize, output);
    }

    /// <summary>Writes <paramref name="input"/>, L2-normalised per row when <paramref name="normalize"/>, as <paramref name="output"/>.</summary>
    internal static string Normalize(OnnxGraphBuilder b, string input, bool normalize, string output)
    {
        if (normalize)
        {
            // torch.nn.functional.normalize: x / max(||x||_2, 1e-12).
            var norm = b.Node("ReduceL2", [input], null, OnnxGraphBuilder.Ints("axes", 1), OnnxGraphBuilder.Int("keepdims", 1));
            return b.Node("Div", [input, b.Node("Max", [norm, b.Scalar(1e-12f)])], output);
        }

        return input == output ? output : b.Node("Identity", [input], output);
    }
}
