using System.Text.RegularExpressions;
using Google.Protobuf;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Interop.HuggingFace;
using Onnx;

namespace MLNet.Contrastive.Interop.Onnx;

/// <summary>
/// Reads a BERT-family ONNX export (inputs <c>input_ids</c>, <c>attention_mask</c>[, <c>token_type_ids</c>], output
/// <c>last_hidden_state</c>) into <see cref="PretrainedWeights"/>: named initializers keep their Hugging Face names;
/// each Linear weight is loaded as [out, in] after its layout is read from the graph (a MatMul's constant B input is
/// [in, out] and is transposed; behind a Transpose, or in a Gemm with transB, it is [out, in]); an anonymous one is found
/// as the constant input of the MatMul whose output is added to the named bias. A weight used in any other way is
/// refused rather than guessed. The shape comes from the initializers; the head count from the attention's Reshape
/// constants and from its 1/sqrt(head size) scale; the LayerNorm epsilon from its constant. This library's own exports
/// (static encoders too) come back with their pooling, normalisation, projection, length and tokenizer (<see cref="OnnxMetadata"/>).
/// </summary>
internal static partial class OnnxBertReader
{
    private static readonly string[] LinearBiases =
        ["attention.self.query.bias", "attention.self.key.bias", "attention.self.value.bias", "attention.output.dense.bias", "intermediate.dense.bias", "output.dense.bias"];

    private const string Projection = "projection";
    private const string StaticTable = "embeddings.weight";

    /// <summary>Reads an ONNX model from a stream.</summary>
    /// <param name="stream">The model (read to its end, not disposed).</param>
    /// <param name="source">The file name or a description of the stream, for messages.</param>
    /// <exception cref="InvalidDataException">The data is not ONNX, not a BERT-family graph, or an initializer is missing or mis-shaped (the message names source and tensor or node).</exception>
    /// <exception cref="NotSupportedException">The graph uses an activation this encoder lacks.</exception>
    internal static PretrainedWeights Read(Stream stream, string source)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{source} is not an ONNX model: {e.Message}", e);
        }

        if (model.Graph is null || model.Graph.Node.Count == 0)
        {
            throw new InvalidDataException($"{source} is not an ONNX model: it has no graph.");
        }

        var graph = new OnnxGraph(model.Graph, source);
        var metadata = OnnxMetadata.Read(model, source);
        var isStatic = metadata.EncoderKind == "static" || (metadata.EncoderKind is null && IsStaticGraph(graph));
        CheckInterface(graph, isStatic ? StaticTable : PretrainedWeights.WordEmbeddings);
        var named = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (var initializer in model.Graph.Initializer)
        {
            var local = initializer.Name.StartsWith("bert.", StringComparison.Ordinal) ? initializer.Name["bert.".Length..] : initializer.Name;
            if ((local.StartsWith("embeddings.", StringComparison.Ordinal) || local.StartsWith("encoder.", StringComparison.Ordinal)
                    || local.StartsWith(Projection + ".", StringComparison.Ordinal))
                && !BertCheckpoint.IsIgnored(local))
            {
                var isLinearWeight = local.EndsWith(".weight", StringComparison.Ordinal) && initializer.Dims.Count == 2 && IsLinear(local);
                named[initializer.Name] = isLinearWeight
                    ? NamedLinearWeight(graph, initializer, metadata.LinearLayoutInOut)
                    : graph.Weight(initializer);
            }
        }

        foreach (var bias in named.Keys.Where(k => LinearBiases.Any(b => k.EndsWith(b, StringComparison.Ordinal))).ToList())
        {
            var weight = bias[..^"bias".Length] + "weight";
            if (!named.ContainsKey(weight))
            {
                named[weight] = LinearWeight(graph, bias);
            }
        }

        var tensors = BertCheckpoint.MapNames(named, source);
        if (isStatic)
        {
            var table = tensors.TryGetValue(StaticTable, out var t) && t.Shape.Length == 2 ? t
                : throw new InvalidDataException($"{source}: the static encoder's table '{StaticTable}' is missing or not a matrix.");
            var staticShape = new StaticShape { VocabularySize = (int)table.Shape[0], EmbeddingSize = (int)table.Shape[1] };
            return new PretrainedWeights(null, staticShape, tensors, source) { Settings = metadata.Settings, Cl100kBase = metadata.Cl100kBase, TruncatedDimension = metadata.Truncated };
        }

        var queryBias = named.Keys.FirstOrDefault(k => k.EndsWith("encoder.layer.0.attention.self.query.bias", StringComparison.Ordinal))
            ?? throw new InvalidDataException($"{source} is not a BERT-family encoder graph: it has no initializer 'encoder.layer.0.attention.self.query.bias'.");
        var layerNorm = named.Keys.FirstOrDefault(k => k.EndsWith("embeddings.LayerNorm.weight", StringComparison.Ordinal)) ?? "embeddings.LayerNorm.weight";
        var shape = Shape(graph, tensors, queryBias, layerNorm);
        return new PretrainedWeights(shape, null, tensors, source) { Settings = metadata.Settings, Cl100kBase = metadata.Cl100kBase, TruncatedDimension = metadata.Truncated };
    }

    // The named weights of Linear layers (HF names of a BERT layer's dense layers, and this library's projection).
    private static bool IsLinear(string name) =>
        name.StartsWith(Projection + ".", StringComparison.Ordinal) || LinearBiases.Any(b => name.EndsWith(b[..^"bias".Length] + "weight", StringComparison.Ordinal));

    // A graph of this library's static encoder: its table gathered at the ids, and no Transformer layer.
    private static bool IsStaticGraph(OnnxGraph graph) =>
        graph.Graph.Initializer.Any(i => i.Name == StaticTable && i.Dims.Count == 2)
        && !graph.Graph.Initializer.Any(i => i.Name.Contains("encoder.layer.", StringComparison.Ordinal));

    // A named Linear weight as [out, in], its layout read from how the graph uses it (and checked against the metadata).
    private static TensorData NamedLinearWeight(OnnxGraph graph, TensorProto initializer, bool? declaredInOut)
    {
        var name = initializer.Name;
        var uses = graph.Consumers(name);
        bool inOut;
        if (uses.Count > 0 && uses.All(n => n.OpType == "MatMul" && n.Input.Count == 2 && n.Input[1] == name))
        {
            inOut = true;
        }
        else if (uses.Count > 0 && uses.All(n => n.OpType == "Transpose" && IsSwap(n) && graph.Consumers(n.Output[0]).All(m => m.OpType == "MatMul" && m.Input[1] == n.Output[0])))
        {
            inOut = false;
        }
        else if (uses.Count > 0 && uses.All(n => n.OpType == "Gemm" && n.Input.Count >= 2 && n.Input[1] == name))
        {
            inOut = uses[0].Attribute.FirstOrDefault(a => a.Name == "transB")?.I != 1;
        }
        else
        {
            throw new InvalidDataException(
                $"{graph.Source}: the Linear weight '{name}' [{string.Join(", ", initializer.Dims)}] is read by {(uses.Count == 0 ? "no node" : string.Join(", ", uses.Select(n => $"a {n.OpType} node '{n.Name}'")))}; " +
                "its layout ([in, out] or [out, in]) cannot be known from the graph, so it is not loaded.");
        }

        if (declaredInOut is { } declared && declared != inOut)
        {
            throw new InvalidDataException(
                $"{graph.Source}: the Linear weight '{name}' is used as {(inOut ? "[in, out]" : "[out, in]")} by the graph, but its metadata '{OnnxMetadata.LinearWeightLayout}' declares the other layout; it is not loaded.");
        }

        var weight = graph.Weight(initializer);
        return inOut ? Transposed(weight.Values, (int)initializer.Dims[0], (int)initializer.Dims[1]) : weight;
    }

    private static bool IsSwap(NodeProto transpose) =>
        transpose.Attribute.FirstOrDefault(a => a.Name == "perm") is not { } perm || perm.Ints.SequenceEqual([1L, 0L]);

    // [rows, columns] row-major to [columns, rows].
    private static TensorData Transposed(float[] values, int rows, int columns)
    {
        var transposed = new float[values.Length];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                transposed[(j * rows) + i] = values[(i * columns) + j];
            }
        }

        return new TensorData([columns, rows], transposed);
    }

    private static void CheckInterface(OnnxGraph graph, string table)
    {
        var inputs = graph.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var outputs = graph.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        if (!inputs.Contains("input_ids") || !inputs.Contains("attention_mask") || !outputs.Contains("last_hidden_state"))
        {
            throw new InvalidDataException(
                $"{graph.Source} is not a BERT-family encoder graph: expected inputs 'input_ids' and 'attention_mask' (and optionally 'token_type_ids') and the output 'last_hidden_state'; "
                + $"found inputs [{string.Join(", ", inputs.Where(i => graph.Constant(i) is null))}] and outputs [{string.Join(", ", outputs)}].");
        }

        if (!graph.Graph.Initializer.Any(t => t.Name.EndsWith(table, StringComparison.Ordinal)))
        {
            throw new InvalidDataException($"{graph.Source} is not a BERT-family encoder graph: it has no initializer '{table}'.");
        }
    }

    // The weight [in, out] of the Linear whose bias is `bias`: Add(bias, MatMul(x, W)) in either input order.
    private static TensorData LinearWeight(OnnxGraph graph, string bias)
    {
        var add = graph.Consumers(bias).FirstOrDefault(n => n.OpType == "Add")
            ?? throw new InvalidDataException($"{graph.Source}: the bias '{bias}' is not added to anything: no Add node reads it, so its weight cannot be found.");
        var other = add.Input.FirstOrDefault(i => i != bias);
        var matMul = other is null ? null : graph.Producer(other);
        var weight = matMul is { OpType: "MatMul" } ? matMul.Input.Select(graph.Constant).FirstOrDefault(t => t is not null) : null;
        if (weight is null || weight.Dims.Count != 2)
        {
            throw new InvalidDataException(
                $"{graph.Source}: node '{add.Name}' adds the bias '{bias}' to '{other}', which is not the output of a MatMul with a constant rank-2 weight; the Linear weight of '{bias}' cannot be found.");
        }

        return Transposed(graph.Weight(weight).Values, (int)weight.Dims[0], (int)weight.Dims[1]);
    }

    private static TransformerShape Shape(OnnxGraph graph, Dictionary<string, TensorData> tensors, string firstQueryBias, string layerNorm)
    {
        TensorData Require(string name, int rank) =>
            tensors.TryGetValue(name, out var t) && t.Shape.Length == rank ? t
            : throw new InvalidDataException(
                $"{graph.Source}: the initializer '{name}' is {(t is null ? "missing" : $"of shape [{string.Join(", ", t.Shape)}]")}; expected a rank-{rank} float tensor.");

        var words = Require(PretrainedWeights.WordEmbeddings, 2);
        var positions = Require(PretrainedWeights.PositionEmbeddings, 2);
        var types = Require("embeddings.token_type_embeddings.weight", 2);
        var layers = tensors.Keys.Select(k => LayerIndex().Match(k)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value)).Distinct().Count();
        var feedForward = Require("encoder.layer.0.intermediate.dense.bias", 1);
        var hidden = (int)words.Shape[1];
        if (!graph.Graph.Node.Any(n => n.OpType == "Erf"))
        {
            throw new NotSupportedException($"{graph.Source}: the graph has no Erf node, so its feed-forward activation is not the exact (erf) GELU this encoder computes.");
        }

        return new TransformerShape
        {
            VocabularySize = (int)words.Shape[0],
            HiddenSize = hidden,
            LayerCount = layers,
            HeadCount = HeadCount(graph, firstQueryBias, hidden),
            FeedForwardSize = (int)feedForward.Shape[0],
            MaxLength = (int)positions.Shape[0],
            TokenTypeCount = (int)types.Shape[0],
            LayerNormEpsilon = LayerNormEpsilon(graph, layerNorm),
        };
    }

    // Heads from Reshape(query, [batch, length, heads, head size]) and from the scale 1/sqrt(head size) of the scores.
    private static int HeadCount(OnnxGraph graph, string queryBias, int hidden)
    {
        int? fromReshape = null;
        var query = graph.Consumers(queryBias).FirstOrDefault(n => n.OpType == "Add")?.Output[0];
        var reshape = query is null ? null : graph.Consumers(query).FirstOrDefault(n => n.OpType == "Reshape");
        if (reshape is not null && reshape.Input.Count == 2)
        {
            var shape = graph.ConstantIntegers(reshape.Input[1]);
            if (shape is { Length: 4 } && shape[2] > 0)
            {
                fromReshape = (int)shape[2];
            }
            else if (graph.Producer(reshape.Input[1]) is { OpType: "Concat" } concat && concat.Input.Count == 4
                && graph.ConstantIntegers(concat.Input[2]) is [var heads] && heads > 0)
            {
                fromReshape = (int)heads;
            }
        }

        int? fromScale = null;
        foreach (var node in graph.Graph.Node.Where(n => n.OpType is "Div" or "Mul" && n.Input.Count == 2))
        {
            if (graph.Producer(node.Input[0]) is { OpType: "MatMul" } scores && scores.Input.All(i => graph.Constant(i) is null)
                && graph.ConstantScalar(node.Input[1]) is { } scale && scale > 0)
            {
                var headSize = (int)Math.Round(node.OpType == "Div" ? scale * scale : 1 / (scale * scale));
                if (headSize > 0 && hidden % headSize == 0)
                {
                    fromScale = hidden / headSize;
                    break;
                }
            }
        }

        if (fromReshape is { } r && fromScale is { } s && r != s)
        {
            throw new InvalidDataException(
                $"{graph.Source}: the attention's Reshape (node '{reshape!.Name}') gives {r} heads but its score scale gives {s}; the graph is not a standard BERT attention.");
        }

        return fromReshape ?? fromScale ?? throw new InvalidDataException(
            $"{graph.Source}: the number of attention heads cannot be found: no Reshape of '{query}' into [batch, length, heads, head size] with constant heads, and no constant 1/sqrt(head size) scale of the attention scores.");
    }

    // LayerNorm as exported: Mul(Div(x - mean, Sqrt(Add(variance, eps))), weight), or a LayerNormalization node.
    private static double LayerNormEpsilon(OnnxGraph graph, string weight)
    {
        foreach (var node in graph.Consumers(weight))
        {
            if (node.OpType == "LayerNormalization")
            {
                return node.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5;
            }

            if (node.OpType == "Mul" && node.Input.FirstOrDefault(i => i != weight) is { } normalized
                && graph.Producer(normalized) is { OpType: "Div" } div && div.Input.Count == 2
                && graph.Producer(div.Input[1]) is { OpType: "Sqrt" } sqrt
                && graph.Producer(sqrt.Input[0]) is { OpType: "Add" } add)
            {
                foreach (var input in add.Input)
                {
                    if (graph.ConstantScalar(input) is { } eps && eps > 0)
                    {
                        // A float32 constant: its shortest round-trip decimal (1e-12, not 9.9999999600419720e-13).
                        return double.Parse(((float)eps).ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
            }
        }

        return 1e-12;
    }

    [GeneratedRegex(@"^encoder\.layer\.(\d+)\.")]
    private static partial Regex LayerIndex();
}
