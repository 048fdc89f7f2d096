using MLNet.Contrastive.Encoders;

namespace MLNet.Contrastive.Interop.Onnx;

/// <summary>
/// The graph of a <see cref="TransformerEncoder"/> in eval mode (no dropout): BERT embeddings, then post-LN layers
/// of masked multi-head self-attention and exact-GELU feed-forward, exactly as the TorchSharp modules compute them.
/// </summary>
internal static class OnnxBertGraph
{
    /// <summary>Adds the embeddings and the layers; the last layer's output is named <paramref name="output"/>.</summary>
    /// <param name="b">The builder.</param>
    /// <param name="weights">The encoder's tensors by Hugging Face name (the word table already folded).</param>
    /// <param name="o">The encoder's shape.</param>
    /// <param name="isPad">The boolean <c>[batch, sequence]</c> value, true where <c>attention_mask</c> is 0.</param>
    /// <param name="output">The name of the token states <c>[batch, sequence, width]</c>.</param>
    /// <returns><paramref name="output"/>.</returns>
    internal static string TokenStates(OnnxGraphBuilder b, IReadOnlyDictionary<string, TensorData> weights, TransformerShape o, string isPad, string output)
    {
        var hidden = Embeddings(b, weights, o);

        // The library's key padding mask [n, 1, 1, L], broadcast over heads and query positions.
        var isPadKey = b.Node("Unsqueeze", [isPad, b.Int64s([1, 2])]);
        for (var i = 0; i < o.LayerCount; i++)
        {
            hidden = Layer(b, weights, o, $"encoder.layer.{i}", hidden, isPadKey, i == o.LayerCount - 1 ? output : null);
        }

        return o.LayerCount == 0 ? b.Node("Identity", [hidden], output) : hidden;
    }

    /// <summary>word[input_ids] + position[0..L) + token_type[token_type_ids], then LayerNorm (BertEmbeddings).</summary>
    private static string Embeddings(OnnxGraphBuilder b, IReadOnlyDictionary<string, TensorData> weights, TransformerShape o)
    {
        string Table(string name)
        {
            var table = OnnxGraphBuilder.Require(weights, name, 2);
            return b.Initializer(name, table.Values, table.Shape);
        }

        var words = b.Node("Gather", [Table("embeddings.word_embeddings.weight"), OnnxEncoderExporter.InputIds]);
        var length = b.Node("Shape", [OnnxEncoderExporter.InputIds], null, OnnxGraphBuilder.Int("start", 1), OnnxGraphBuilder.Int("end", 2));
        var positions = b.Node("Slice", [Table("embeddings.position_embeddings.weight"), b.Int64s([0]), length, b.Int64s([0])]);
        var types = b.Node("Gather", [Table("embeddings.token_type_embeddings.weight"), OnnxEncoderExporter.TokenTypeIds]);
        var sum = b.Node("Add", [b.Node("Add", [words, positions]), types]);
        return b.LayerNorm(sum, "embeddings.LayerNorm", weights, o.LayerNormEpsilon);
    }

    /// <summary>One post-LN layer (BertLayer): attention, residual, LayerNorm; feed-forward, residual, LayerNorm.</summary>
    private static string Layer(
        OnnxGraphBuilder b, IReadOnlyDictionary<string, TensorData> weights, TransformerShape o, string p, string hidden, string isPadKey, string? output)
    {
        var heads = o.HeadCount;
        var headSize = o.HiddenSize / o.HeadCount;
        var splitHeads = b.Int64s([0, 0, heads, headSize]);
        string Heads(string x, params long[] perm) =>
            b.Node("Transpose", [b.Node("Reshape", [x, splitHeads])], null, OnnxGraphBuilder.Ints("perm", perm));

        var q = Heads(b.Linear(hidden, p + ".attention.self.query", weights), 0, 2, 1, 3);   // [n, h, L, s]
        var kT = Heads(b.Linear(hidden, p + ".attention.self.key", weights), 0, 2, 3, 1);    // [n, h, s, L]
        var v = Heads(b.Linear(hidden, p + ".attention.self.value", weights), 0, 2, 1, 3);   // [n, h, L, s]
        var scores = b.Node("Div", [b.Node("MatMul", [q, kT]), b.Scalar((float)Math.Sqrt(headSize))]);

        // As BertSelfAttention: masked keys get the lowest float, so after softmax's max subtraction their weight is exactly 0.
        var masked = b.Node("Where", [isPadKey, b.Scalar(float.MinValue), scores]);
        var probs = b.Node("Softmax", [masked], null, OnnxGraphBuilder.Int("axis", -1));
        var context = b.Node("Transpose", [b.Node("MatMul", [probs, v])], null, OnnxGraphBuilder.Ints("perm", 0, 2, 1, 3));
        context = b.Node("Reshape", [context, b.Int64s([0, 0, o.HiddenSize])]);

        var attended = b.LayerNorm(
            b.Node("Add", [b.Linear(context, p + ".attention.output.dense", weights), hidden]), p + ".attention.output.LayerNorm", weights, o.LayerNormEpsilon);
        var intermediate = b.Gelu(b.Linear(attended, p + ".intermediate.dense", weights));
        return b.LayerNorm(
            b.Node("Add", [b.Linear(intermediate, p + ".output.dense", weights), attended]), p + ".output.LayerNorm", weights, o.LayerNormEpsilon, output);
    }
}
