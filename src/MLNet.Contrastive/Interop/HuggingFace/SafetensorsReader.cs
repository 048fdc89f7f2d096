using System.Buffers.Binary;
using System.Text.Json;
using MLNet.Contrastive.Encoders;

namespace MLNet.Contrastive.Interop.HuggingFace;

/// <summary>
/// Reads a safetensors file: an 8-byte little-endian header length, a JSON header mapping each name to
/// <c>{dtype, shape, data_offsets}</c> (offsets relative to the data that follows the header), then raw data.
/// F32, F16 and BF16 are converted to float32. Nothing in the file is executed.
/// </summary>
internal static class SafetensorsReader
{
    /// <summary>Reads every tensor of the file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The tensors by name.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed or holds an unsupported dtype (the message names file and tensor).</exception>
    internal static Dictionary<string, TensorData> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The safetensors file '{path}' does not exist.", path);
        }

        using var file = File.OpenRead(path);
        if (file.Length < 8)
        {
            throw new InvalidDataException($"'{path}' is not a safetensors file (truncated?): {file.Length} bytes, fewer than the 8 of the header length.");
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        file.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength == 0 || headerLength > 100_000_000UL || (long)headerLength > file.Length - 8)
        {
            throw new InvalidDataException($"'{path}' is not a safetensors file: header length {headerLength} for a file of {file.Length} bytes.");
        }

        var header = new byte[headerLength];
        file.ReadExactly(header);
        var dataStart = 8 + (long)headerLength;
        var dataLength = file.Length - dataStart;
        using var json = Parse(header, path);
        var result = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (var entry in json.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                continue;
            }

            // Older transformers exports carry the integer buffer embeddings.position_ids (0, 1, 2, ...): not a weight.
            if (entry.Name.EndsWith("position_ids", StringComparison.Ordinal) && entry.Value.ValueKind == JsonValueKind.Object
                && entry.Value.TryGetProperty("dtype", out var dtype) && dtype.GetString() is "I64" or "I32")
            {
                continue;
            }

            try
            {
                result.Add(entry.Name, ReadTensor(file, entry.Value, dataStart, dataLength));
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException or InvalidDataException or OverflowException)
            {
                throw new InvalidDataException($"'{path}': tensor '{entry.Name}': {e.Message}", e);
            }
        }

        return result;
    }

    private static JsonDocument Parse(byte[] header, string path)
    {
        try
        {
            var document = JsonDocument.Parse(header);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"'{path}': the safetensors header is not a JSON object.");
            }

            return document;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}': the safetensors header is not valid JSON: {e.Message}", e);
        }
    }

    private static TensorData ReadTensor(FileStream file, JsonElement info, long dataStart, long dataLength)
    {
        var dtype = info.GetProperty("dtype").GetString();
        var shape = info.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        var offsets = info.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        var width = dtype switch
        {
            "F32" => 4,
            "F16" or "BF16" => 2,
            _ => throw new InvalidDataException($"dtype '{dtype}' is not supported (F32, F16 and BF16 are)."),
        };
        // Checked: a forged shape's element count must not wrap around to a size that looks plausible.
        long count = 1;
        foreach (var dim in shape)
        {
            count = dim < 0
                ? throw new InvalidDataException("negative dimension.")
                : checked(count * dim) is var product && product <= Array.MaxLength ? product
                : throw new InvalidDataException($"shape [{string.Join(", ", shape)}] has more elements than an array holds ({Array.MaxLength:N0}).");
        }

        if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] > dataLength || offsets[1] - offsets[0] != count * width)
        {
            throw new InvalidDataException(
                $"data_offsets [{string.Join(", ", offsets)}] do not hold {count} values of {dtype} within {dataLength} data bytes.");
        }

        var raw = new byte[offsets[1] - offsets[0]];
        file.Position = dataStart + offsets[0];
        file.ReadExactly(raw);
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            var at = raw.AsSpan(i * width);
            values[i] = dtype switch
            {
                "F32" => BinaryPrimitives.ReadSingleLittleEndian(at),
                "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(at),
                _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(at) << 16),
            };
        }

        return TensorData.RequireFinite(shape, values);
    }
}
