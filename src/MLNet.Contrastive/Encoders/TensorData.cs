using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>A tensor's shape and float32 values, as read from a file.</summary>
/// <param name="Shape">The shape.</param>
/// <param name="Values">The values, row-major.</param>
internal sealed record TensorData(long[] Shape, float[] Values)
{
    /// <summary>Writes named tensors: count, then per tensor name, dtype code 1 (float32), rank, dims, little-endian floats.</summary>
    internal static void WriteAll(BinaryWriter writer, IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        var list = tensors.ToList();
        writer.Write(list.Count);
        foreach (var (name, value) in list)
        {
            using var cpu = value.detach().to(ScalarType.Float32).cpu().contiguous();
            writer.Write(name);
            writer.Write((byte)1);
            writer.Write(cpu.shape.Length);
            foreach (var dim in cpu.shape)
            {
                writer.Write(dim);
            }

            var values = cpu.data<float>().ToArray();
            if (FirstNonFinite(values) is { } at)
            {
                throw new InvalidOperationException(
                    $"Tensor '{name}' holds {values[at]} at index {at}: a model whose weights are not finite is not saved (did training diverge? ContrastiveTrainer stops with TrainingDivergedException when it sees a non-finite loss).");
            }

            writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        }
    }

    /// <summary>Reads what <see cref="WriteAll"/> wrote. Each tensor's declared size is checked against the bytes left in a
    /// seekable stream before anything is allocated, and its values must be finite.</summary>
    /// <exception cref="InvalidDataException">A dtype, rank or size is invalid, a size exceeds the bytes present, or a value is NaN or infinite.</exception>
    internal static Dictionary<string, TensorData> ReadAll(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0)
        {
            throw new InvalidDataException($"Invalid tensor count {count}.");
        }

        var result = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            var dtype = reader.ReadByte();
            var rank = reader.ReadInt32();
            if (dtype != 1 || rank < 0 || rank > 8)
            {
                throw new InvalidDataException($"Tensor '{name}': unsupported dtype code {dtype} or rank {rank} (expected float32, rank 0-8).");
            }

            var shape = new long[rank];
            long elements = 1;
            for (var d = 0; d < rank; d++)
            {
                shape[d] = reader.ReadInt64();
                elements = shape[d] < 0 || elements * Math.Max(shape[d], 1) > Array.MaxLength
                    ? throw new InvalidDataException($"Tensor '{name}': invalid shape.")
                    : elements * shape[d];
            }

            var stream = reader.BaseStream;
            if (stream.CanSeek && elements * sizeof(float) > stream.Length - stream.Position)
            {
                throw new InvalidDataException(
                    $"Tensor '{name}' declares shape [{string.Join(", ", shape)}] ({elements * sizeof(float):N0} bytes) but only {stream.Length - stream.Position:N0} bytes remain: the data is truncated or forged.");
            }

            var values = new float[elements];
            var bytes = MemoryMarshal.AsBytes(values.AsSpan());
            if (reader.Read(bytes) != bytes.Length)
            {
                throw new EndOfStreamException($"Tensor '{name}': the data ends early.");
            }

            if (FirstNonFinite(values) is { } at)
            {
                throw new InvalidDataException($"Tensor '{name}' holds {values[at]} at index {at}: the weights must be finite (saved after training diverged, or forged).");
            }

            if (!result.TryAdd(name, new TensorData(shape, values)))
            {
                throw new InvalidDataException($"Tensor '{name}' appears twice.");
            }
        }

        return result;
    }

    /// <summary>Returns the tensor when every value is finite; a pretrained file's NaN would make every embedding NaN.</summary>
    /// <exception cref="InvalidDataException">A value is NaN or infinite (its index and value are given).</exception>
    internal static TensorData RequireFinite(long[] shape, float[] values) => FirstNonFinite(values) is { } at
        ? throw new InvalidDataException($"it holds {values[at]} at index {at:N0}: the weights must be finite.")
        : new TensorData(shape, values);

    /// <summary>Returns the index of the first NaN or infinite value, or <see langword="null"/>.</summary>
    internal static int? FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>
    /// Copies <paramref name="tensors"/> into the parameters and buffers of <paramref name="module"/> after checking that
    /// every name and shape matches; all mismatches are reported in one error.
    /// </summary>
    /// <param name="module">The destination.</param>
    /// <param name="tensors">The values by parameter name.</param>
    /// <param name="source">What the values came from, for the message.</param>
    /// <param name="notRequired">Names of the module that may be absent from <paramref name="tensors"/> (kept as they are).</param>
    /// <exception cref="InvalidDataException">A tensor is missing, unexpected or wrongly shaped.</exception>
    internal static void LoadInto(nn.Module module, IReadOnlyDictionary<string, TensorData> tensors, string source, Func<string, bool>? notRequired = null)
    {
        var expected = module.state_dict();
        var problems = new List<string>();
        foreach (var (name, target) in expected)
        {
            if (!tensors.TryGetValue(name, out var data))
            {
                if (notRequired is null || !notRequired(name))
                {
                    problems.Add($"missing '{name}' [{string.Join(", ", target.shape)}]");
                }
            }
            else if (!data.Shape.SequenceEqual(target.shape))
            {
                problems.Add($"'{name}' has shape [{string.Join(", ", data.Shape)}], expected [{string.Join(", ", target.shape)}]");
            }
        }

        problems.AddRange(tensors.Keys.Where(k => !expected.ContainsKey(k)).Select(k => $"unexpected '{k}'"));
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"The weights in {source} do not fit the encoder: {string.Join("; ", problems)}.");
        }

        using var noGrad = no_grad();
        foreach (var (name, target) in expected)
        {
            if (tensors.TryGetValue(name, out var data))
            {
                using var value = tensor(data.Values, data.Shape, dtype: ScalarType.Float32);
                target.copy_(value);
            }
        }
    }
}
