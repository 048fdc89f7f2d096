using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace MLNet.Contrastive.Tests.Interop.HuggingFace;

/// <summary>A minimal safetensors writer, written from the format description, independent of the library's reader.</summary>
internal static class SafetensorsTestWriter
{
    internal static void Write(string path, IEnumerable<(string Name, long[] Shape, float[] Values)> tensors, string dtype, (string Name, long[] Values)? int64Row = null)
    {
        var header = new Dictionary<string, object> { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        using var data = new MemoryStream();
        foreach (var (name, shape, values) in tensors)
        {
            var begin = data.Length;
            foreach (var v in values)
            {
                var bytes = new byte[dtype == "F32" ? 4 : 2];
                switch (dtype)
                {
                    case "F32": BinaryPrimitives.WriteSingleLittleEndian(bytes, v); break;
                    case "F16": BinaryPrimitives.WriteHalfLittleEndian(bytes, (Half)v); break;
                    default: BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16)); break;
                }

                data.Write(bytes);
            }

            header[name] = new { dtype, shape, data_offsets = new[] { begin, data.Length } };
        }

        if (int64Row is { } row)
        {
            var begin = data.Length;
            foreach (var v in row.Values)
            {
                var bytes = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(bytes, v);
                data.Write(bytes);
            }

            header[row.Name] = new { dtype = "I64", shape = new long[] { 1, row.Values.Length }, data_offsets = new[] { begin, data.Length } };
        }

        var json = JsonSerializer.Serialize(header);
        json += new string(' ', (8 - (Encoding.UTF8.GetByteCount(json) % 8)) % 8);
        var jsonBytes = Encoding.UTF8.GetBytes(json);
        using var file = File.Create(path);
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)jsonBytes.Length);
        file.Write(length);
        file.Write(jsonBytes);
        data.Position = 0;
        data.CopyTo(file);
    }
}
