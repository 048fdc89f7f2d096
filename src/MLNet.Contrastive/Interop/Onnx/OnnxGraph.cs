using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Onnx;

namespace MLNet.Contrastive.Interop.Onnx;

/// <summary>
/// Read access to an ONNX graph for import: initializers and <c>Constant</c> outputs by name, producers and
/// consumers of each value. The protobuf itself is parsed by OnnxSharp's generated classes.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly Dictionary<string, TensorProto> constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeProto> producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> consumers = new(StringComparer.Ordinal);

    internal OnnxGraph(GraphProto graph, string source)
    {
        Graph = graph;
        Source = source;
        foreach (var initializer in graph.Initializer)
        {
            constants.TryAdd(initializer.Name, initializer);
        }

        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                producers.TryAdd(output, node);
            }

            foreach (var input in node.Input)
            {
                if (!consumers.TryGetValue(input, out var list))
                {
                    consumers[input] = list = [];
                }

                list.Add(node);
            }

            if (node.OpType == "Constant" && node.Output.Count == 1 && node.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } value)
            {
                constants.TryAdd(node.Output[0], value);
            }
        }
    }

    /// <summary>Gets the graph.</summary>
    internal GraphProto Graph { get; }

    /// <summary>Gets the file (or stream description) for messages.</summary>
    internal string Source { get; }

    /// <summary>Gets the node that produces <paramref name="value"/>, or null for inputs and initializers.</summary>
    internal NodeProto? Producer(string value) => producers.GetValueOrDefault(value);

    /// <summary>Gets the nodes that read <paramref name="value"/>.</summary>
    internal IReadOnlyList<NodeProto> Consumers(string value) => consumers.TryGetValue(value, out var list) ? list : [];

    /// <summary>Gets the constant tensor (initializer or Constant node output) named <paramref name="value"/>, or null.</summary>
    internal TensorProto? Constant(string value) => constants.GetValueOrDefault(value);

    /// <summary>Gets the integers of a constant int64/int32 tensor, or null when <paramref name="value"/> is not one.</summary>
    internal long[]? ConstantIntegers(string value)
    {
        if (Constant(value) is not { } t)
        {
            return null;
        }

        return (TensorProto.Types.DataType)t.DataType switch
        {
            TensorProto.Types.DataType.Int64 => t.Int64Data.Count > 0 ? t.Int64Data.ToArray()
                : Enumerable.Range(0, t.RawData.Length / 8).Select(i => BinaryPrimitives.ReadInt64LittleEndian(t.RawData.Span[(i * 8)..])).ToArray(),
            TensorProto.Types.DataType.Int32 => t.Int32Data.Count > 0 ? t.Int32Data.Select(v => (long)v).ToArray()
                : Enumerable.Range(0, t.RawData.Length / 4).Select(i => (long)BinaryPrimitives.ReadInt32LittleEndian(t.RawData.Span[(i * 4)..])).ToArray(),
            _ => null,
        };
    }

    /// <summary>Gets the value of a constant float scalar (or one-element tensor), or null.</summary>
    internal double? ConstantScalar(string value)
    {
        if (Constant(value) is not { } t || t.Dims.Aggregate(1L, (a, d) => a * d) != 1)
        {
            return null;
        }

        return (TensorProto.Types.DataType)t.DataType switch
        {
            TensorProto.Types.DataType.Float => ToFloats(t)[0],
            TensorProto.Types.DataType.Double => t.DoubleData.Count > 0 ? t.DoubleData[0] : BinaryPrimitives.ReadDoubleLittleEndian(t.RawData.Span),
            _ => null,
        };
    }

    /// <summary>Reads a weight: as <see cref="ToFloats"/>, and every value must be finite (a NaN in a pretrained file
    /// would make every embedding NaN).</summary>
    /// <exception cref="InvalidDataException">The data is malformed, or a value is NaN or infinite (named).</exception>
    internal Encoders.TensorData Weight(TensorProto t)
    {
        var values = ToFloats(t);
        return Encoders.TensorData.FirstNonFinite(values) is { } at
            ? throw new InvalidDataException($"{Source}: the weight '{t.Name}' holds {values[at]} at index {at:N0}: the weights must be finite.")
            : new Encoders.TensorData(t.Dims.ToArray(), values);
    }

    /// <summary>Reads a float (or float16) tensor's values, row-major.</summary>
    /// <exception cref="InvalidDataException">The tensor is of another type, stored outside the file, or its data does not match its shape (named).</exception>
    internal float[] ToFloats(TensorProto t)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new InvalidDataException($"{Source}: tensor '{t.Name}' is stored in an external data file, which is not supported; export the model as one file.");
        }

        var count = t.Dims.Aggregate(1L, (a, d) => d < 0 || a * (double)d > Array.MaxLength
            ? throw new InvalidDataException($"{Source}: tensor '{t.Name}' declares shape [{string.Join(", ", t.Dims)}], which no array holds.")
            : a * d);
        var type = (TensorProto.Types.DataType)t.DataType;
        var values = new float[count];
        switch (type)
        {
            case TensorProto.Types.DataType.Float when t.FloatData.Count == count && t.RawData.Length == 0:
                t.FloatData.CopyTo(values, 0);
                return values;
            case TensorProto.Types.DataType.Float when t.RawData.Length == count * 4:
                var raw = t.RawData.Span;
                if (BitConverter.IsLittleEndian)
                {
                    MemoryMarshal.Cast<byte, float>(raw).CopyTo(values);
                    return values;
                }

                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]);
                }

                return values;
            case TensorProto.Types.DataType.Float16 when t.RawData.Length == count * 2:
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(t.RawData.Span[(i * 2)..]);
                }

                return values;
            default:
                throw new InvalidDataException(
                    $"{Source}: tensor '{t.Name}' of type {type} and shape [{string.Join(", ", t.Dims)}] has {t.RawData.Length} raw bytes and {t.FloatData.Count} float values; expected float32 or float16 data for {count} elements.");
        }
    }
}
