using System.Buffers.Binary;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Contrastive;

/// <summary>
/// A trained text embedding model: maps texts to fixed-size vectors.
/// </summary>
/// <remarks>
/// TEMPORARY STAND-IN (branch mlnet): a deterministic hashed bag-of-words projection (a seeded TorchSharp embedding
/// table, mean of word rows, L2-normalised), with exactly the surface of the real model that another engineer
/// writes. It exists only so that the ML.NET component compiles and is tested; it is replaced on merge.
/// Not thread-safe.
/// </remarks>
public sealed class EmbeddingModel : IDisposable
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("TMPEMB01");
    private readonly Tensor _table;
    private bool _disposed;

    private EmbeddingModel(Tensor table)
    {
        _table = table;
        Dimension = (int)table.shape[1];
    }

    /// <summary>Gets the size of the vectors <see cref="Encode"/> returns.</summary>
    public int Dimension { get; }

    /// <summary>Creates a stand-in model whose table is drawn from <paramref name="seed"/>.</summary>
    /// <param name="dimension">The vector size.</param>
    /// <param name="buckets">The number of hash buckets.</param>
    /// <param name="seed">The seed of the table.</param>
    /// <returns>The model.</returns>
    internal static EmbeddingModel CreateStandIn(int dimension, int buckets, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(buckets);
        using var generator = new Generator((ulong)(uint)seed);
        return new EmbeddingModel(randn(new long[] { buckets, dimension }, generator: generator));
    }

    /// <summary>Encodes texts into vectors, <paramref name="batchSize"/> texts at a time, without autograd.</summary>
    /// <param name="texts">The texts; null is treated as empty.</param>
    /// <param name="batchSize">How many texts are encoded together.</param>
    /// <returns>One vector of <see cref="Dimension"/> floats per text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public float[][] Encode(IReadOnlyList<string> texts, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = new float[texts.Count][];
        using var noGrad = no_grad();
        for (var start = 0; start < texts.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var count = Math.Min(batchSize, texts.Count - start);
            var rows = new Tensor[count];
            for (var i = 0; i < count; i++)
            {
                var ids = Buckets(texts[start + i] ?? string.Empty);
                rows[i] = _table.index_select(0, tensor(ids)).mean(new long[] { 0 });
            }

            var batch = nn.functional.normalize(stack(rows), p: 2, dim: 1);
            var flat = batch.data<float>().ToArray();
            for (var i = 0; i < count; i++)
            {
                result[start + i] = flat.AsSpan(i * Dimension, Dimension).ToArray();
            }
        }

        return result;
    }

    /// <summary>Writes the model to <paramref name="stream"/>.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var values = _table.data<float>().ToArray();
        var header = new byte[16];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), (int)_table.shape[0]);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), Dimension);
        stream.Write(header);
        stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <param name="stream">A readable stream.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="InvalidDataException">The stream does not hold a model, or it is truncated.</exception>
    public static EmbeddingModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = new byte[16];
        ReadExactly(stream, header);
        if (!header.AsSpan(0, 8).SequenceEqual(Magic))
        {
            throw new InvalidDataException("The stream does not hold an embedding model (bad magic).");
        }

        var buckets = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
        var dimension = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
        if (buckets <= 0 || dimension <= 0 || (long)buckets * dimension > 1 << 28)
        {
            throw new InvalidDataException($"The embedding model header is corrupt (buckets {buckets}, dimension {dimension}).");
        }

        var values = new float[buckets * dimension];
        ReadExactly(stream, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return new EmbeddingModel(tensor(values, new long[] { buckets, dimension }));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _table.Dispose();
        }
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The embedding model is truncated.", e);
        }
    }

    private long[] Buckets(string text)
    {
        var words = text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var buckets = (int)_table.shape[0];
        if (words.Length == 0)
        {
            return new long[] { 0 };
        }

        var ids = new long[words.Length];
        for (var i = 0; i < words.Length; i++)
        {
            var hash = 2166136261u; // FNV-1a: stable across processes, unlike string.GetHashCode
            foreach (var c in words[i])
            {
                hash = (hash ^ c) * 16777619u;
            }

            ids[i] = 1 + (hash % (uint)(buckets - 1));
        }

        return ids;
    }
}
