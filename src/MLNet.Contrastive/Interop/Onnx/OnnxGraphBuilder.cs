using System.Runtime.InteropServices;
using Google.Protobuf;
using MLNet.Contrastive.Encoders;
using Onnx;

namespace MLNet.Contrastive.Interop.Onnx;

/// <summary>
/// Builds an ONNX graph (the generated protobuf classes of OnnxSharp) node by node: named initializers, small
/// constants, and the few composite blocks a BERT encoder needs (linear layer, LayerNorm, exact GELU).
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private const int FloatType = (int)TensorProto.Types.DataType.Float;
    private const int Int64Type = (int)TensorProto.Types.DataType.Int64;
    private readonly Dictionary<string, string> constants = new(StringComparer.Ordinal);
    private int counter;

    /// <summary>Gets the graph being built.</summary>
    internal GraphProto Graph { get; } = new() { Name = "MLNet.Contrastive" };

    /// <summary>Gets the bytes of tensor data added so far (the model must stay below protobuf's 2 GB limit).</summary>
    internal long DataBytes { get; private set; }

    /// <summary>Declares a graph input or output with named (dynamic) or fixed dimensions.</summary>
    internal static ValueInfoProto Value(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim is string symbol
                ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture) });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    /// <summary>Adds a float initializer.</summary>
    /// <returns>Its name.</returns>
    internal string Initializer(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = FloatType, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
        tensor.Dims.AddRange(dims);
        DataBytes += values.Length * sizeof(float);
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds (once) a float constant of the given shape filled with one value.</summary>
    internal string Scalar(float value, params long[] dims)
    {
        var key = $"f{value:R}[{string.Join(",", dims)}]";
        if (!constants.TryGetValue(key, out var name))
        {
            name = Initializer($"const_{constants.Count}", [value], dims);
            constants.Add(key, name);
        }

        return name;
    }

    /// <summary>Adds (once) an int64 constant: a vector, or a scalar when <paramref name="scalar"/> is set.</summary>
    internal string Int64s(long[] values, bool scalar = false)
    {
        var key = $"i{(scalar ? "s" : "v")}[{string.Join(",", values)}]";
        if (!constants.TryGetValue(key, out var name))
        {
            name = $"const_{constants.Count}";
            var tensor = new TensorProto { Name = name, DataType = Int64Type };
            tensor.Int64Data.AddRange(values);
            if (!scalar)
            {
                tensor.Dims.Add(values.Length);
            }

            Graph.Initializer.Add(tensor);
            constants.Add(key, name);
        }

        return name;
    }

    /// <summary>Adds a node.</summary>
    /// <param name="op">The operator type.</param>
    /// <param name="inputs">The input value names.</param>
    /// <param name="output">The output name, or null for a fresh one.</param>
    /// <param name="attributes">The attributes.</param>
    /// <returns>The output name.</returns>
    internal string Node(string op, string[] inputs, string? output = null, params AttributeProto[] attributes)
    {
        var id = counter++;
        output ??= $"{op}_{id}";
        var node = new NodeProto { OpType = op, Name = $"{op}_{id}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    internal static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    internal static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    internal static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary><c>x @ W + b</c>, with torch's Linear weight <c>[out, in]</c> stored transposed, <c>[in, out]</c>, as MatMul's B input.</summary>
    /// <param name="x">The input value.</param>
    /// <param name="prefix">The Hugging Face module name: the initializers are <c>{prefix}.weight</c> and <c>{prefix}.bias</c>.</param>
    /// <param name="weights">The encoder's tensors by name.</param>
    /// <param name="output">The output name, or null for a fresh one.</param>
    internal string Linear(string x, string prefix, IReadOnlyDictionary<string, TensorData> weights, string? output = null)
    {
        var weight = Require(weights, prefix + ".weight", 2);
        var bias = Require(weights, prefix + ".bias", 1);
        var (rows, columns) = (weight.Shape[0], weight.Shape[1]);
        var transposed = new float[weight.Values.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                transposed[(c * rows) + r] = weight.Values[(r * columns) + c];
            }
        }

        var w = Initializer(prefix + ".weight", transposed, columns, rows);
        var b = Initializer(prefix + ".bias", bias.Values, bias.Shape);
        return Node("Add", [Node("MatMul", [x, w]), b], output);
    }

    /// <summary>LayerNormalization over the last axis (opset 17), with <c>{prefix}.weight</c> and <c>{prefix}.bias</c>.</summary>
    internal string LayerNorm(string x, string prefix, IReadOnlyDictionary<string, TensorData> weights, double epsilon, string? output = null)
    {
        var scale = Require(weights, prefix + ".weight", 1);
        var bias = Require(weights, prefix + ".bias", 1);
        return Node(
            "LayerNormalization",
            [x, Initializer(prefix + ".weight", scale.Values, scale.Shape), Initializer(prefix + ".bias", bias.Values, bias.Shape)],
            output,
            Int("axis", -1),
            Float("epsilon", (float)epsilon));
    }

    /// <summary>Exact GELU, <c>0.5 x (1 + erf(x / sqrt 2))</c> (torch's default, Hugging Face's <c>gelu</c>).</summary>
    internal string Gelu(string x)
    {
        var erf = Node("Erf", [Node("Div", [x, Scalar(MathF.Sqrt(2f))])]);
        return Node("Mul", [Node("Mul", [x, Node("Add", [erf, Scalar(1f)])]), Scalar(0.5f)]);
    }

    /// <summary>Gets a tensor the graph needs, checking its rank.</summary>
    /// <exception cref="InvalidOperationException">The tensor is missing or of another rank (names it).</exception>
    internal static TensorData Require(IReadOnlyDictionary<string, TensorData> weights, string name, int rank)
    {
        if (!weights.TryGetValue(name, out var tensor))
        {
            throw new InvalidOperationException($"ONNX export: the encoder has no tensor '{name}'.");
        }

        if (tensor.Shape.Length != rank)
        {
            throw new InvalidOperationException($"ONNX export: tensor '{name}' has shape [{string.Join(", ", tensor.Shape)}]; expected rank {rank}.");
        }

        return tensor;
    }
}
