using MLNet.Contrastive.Encoders;

namespace MLNet.Contrastive.Interop.Onnx;

/// <summary>
/// What the exporter needs of an encoder (<see cref="TextEncoder.OnnxGraph"/>): the table that takes the tokenizer's
/// ids, the width of the token states, how they are pooled, and the nodes that compute them.
/// </summary>
/// <param name="WordEmbeddings">The name of the token embedding table (a vocabulary map is folded into it).</param>
/// <param name="Width">The width of the token states, <c>last_hidden_state</c>'s last dimension.</param>
/// <param name="Pooling">How the token states become one vector.</param>
/// <param name="Normalize">Whether the sentence embedding is L2-normalised.</param>
/// <param name="AddTokenStates">Adds the nodes from the inputs to the token states: (builder, tensors by name, the
/// boolean padding value, the name of the output) to that name.</param>
internal sealed record OnnxEncoderGraph(
    string WordEmbeddings,
    int Width,
    PoolingMode Pooling,
    bool Normalize,
    Func<OnnxGraphBuilder, IReadOnlyDictionary<string, TensorData>, string, string, string> AddTokenStates)
{
    /// <summary>The graph of a <see cref="StaticEncoder"/>: its table gathered at the ids (pooling follows).</summary>
    internal static string StaticTokenStates(OnnxGraphBuilder b, IReadOnlyDictionary<string, TensorData> weights, string tableName, string output)
    {
        var table = OnnxGraphBuilder.Require(weights, tableName, 2);
        return b.Node("Gather", [b.Initializer(tableName, table.Values, table.Shape), OnnxEncoderExporter.InputIds], output);
    }
}
