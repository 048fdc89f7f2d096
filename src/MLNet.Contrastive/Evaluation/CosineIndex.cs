using System.Numerics;
using Microsoft.ML.Data;

namespace MLNet.Contrastive.Evaluation;

/// <summary>
/// Exact cosine-similarity top-k search over a fixed set of embedding vectors.
/// </summary>
/// <remarks>
/// The corpus vectors are L2-normalised once, when the index is built, and stored contiguously (or as sparse rows when
/// at most a quarter of their values are non-zero, as for TF-IDF vectors); a search normalises the query, takes one
/// dot product per corpus vector and keeps the best <c>k</c> with a bounded heap (O(N·D + N·log k) per query, O(non-zeros
/// + N·log k) for sparse rows; exact, no approximation). A zero vector has cosine 0 with everything.
/// Ties are broken deterministically: among equal scores the lower corpus index ranks first.
/// </remarks>
public sealed class CosineIndex
{
    // Unit vectors, stored densely (row-major) or, when at most a quarter of the values are non-zero (TF-IDF vectors),
    // as compressed sparse rows: row i holds this.values[rowStart[i]..rowStart[i + 1]] at columns this.columns[...].
    private readonly float[]? unitVectors;
    private readonly int[]? rowStart;
    private readonly int[]? columns;
    private readonly float[]? values;

    /// <summary>Builds an index over <paramref name="vectors"/> (copied; the caller may reuse its arrays).</summary>
    /// <param name="vectors">The corpus embeddings, all of the same non-zero length.</param>
    /// <exception cref="ArgumentNullException"><paramref name="vectors"/> or one of its vectors is null.</exception>
    /// <exception cref="ArgumentException">The vectors differ in length, are empty, or contain NaN or infinity.</exception>
    public CosineIndex(IReadOnlyList<float[]> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        Count = vectors.Count;
        Dimension = Count == 0 ? 0 : CheckVector(vectors[0], nameof(vectors), 0, -1);
        long nonZero = 0;
        for (int i = 0; i < Count; i++)
        {
            CheckVector(vectors[i], nameof(vectors), i, Dimension);
            foreach (float v in vectors[i])
            {
                nonZero += v != 0 ? 1 : 0;
            }
        }
        if (nonZero * 4 > (long)Count * Dimension)
        {
            unitVectors = new float[(long)Count * Dimension];
            for (int i = 0; i < Count; i++)
            {
                WriteUnit(vectors[i], unitVectors.AsSpan(i * Dimension, Dimension));
            }

            return;
        }
        rowStart = new int[Count + 1];
        columns = new int[nonZero];
        values = new float[nonZero];
        var unit = new float[Dimension];
        int next = 0;
        for (int i = 0; i < Count; i++)
        {
            WriteUnit(vectors[i], unit);
            for (int j = 0; j < Dimension; j++)
            {
                if (unit[j] == 0)
                {
                    continue;
                }

                columns[next] = j;
                values[next++] = unit[j];
            }
            rowStart[i + 1] = next;
        }
    }

    /// <summary>
    /// Builds an index over sparse vectors (ML.NET's <see cref="VBuffer{T}"/>, dense or sparse), stored as sparse rows:
    /// memory is proportional to the non-zero values, never to count × length. Scores and rankings equal those of the
    /// same vectors given densely.
    /// </summary>
    /// <param name="vectors">The corpus vectors, all of the same non-zero <see cref="VBuffer{T}.Length"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="vectors"/> is null.</exception>
    /// <exception cref="ArgumentException">The vectors differ in length, are empty, or contain NaN or infinity.</exception>
    public CosineIndex(IReadOnlyList<VBuffer<float>> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        Count = vectors.Count;
        Dimension = Count == 0 ? 0 : SparseVectors.Check(vectors[0], nameof(vectors), 0, -1);
        long nonZero = 0;
        for (int i = 0; i < Count; i++)
        {
            SparseVectors.Check(vectors[i], nameof(vectors), i, Dimension);
            nonZero += SparseVectors.NonZeros(vectors[i]);
        }
        rowStart = new int[Count + 1];
        columns = new int[nonZero];
        values = new float[nonZero];
        int next = 0;
        for (int i = 0; i < Count; i++)
        {
            next = SparseVectors.WriteUnitRow(vectors[i], columns, values, next);
            rowStart[i + 1] = next;
        }
    }

    /// <summary>Gets the number of indexed vectors.</summary>
    public int Count { get; }

    /// <summary>Gets the length of the indexed vectors (0 for an empty index).</summary>
    public int Dimension { get; }

    /// <summary>Returns the <paramref name="k"/> corpus vectors most cosine-similar to <paramref name="query"/>, best first.</summary>
    /// <param name="query">The query embedding, of length <see cref="Dimension"/>.</param>
    /// <param name="k">How many results to return at most (fewer when the corpus is smaller).</param>
    /// <returns>Up to <paramref name="k"/> hits ordered by descending score, then ascending corpus index.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="query"/> has the wrong length or contains NaN or infinity.</exception>
    public IReadOnlyList<SearchHit> Search(float[] query, int k)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        CheckVector(query, nameof(query), -1, Dimension);
        var unitQuery = new float[Dimension];
        WriteUnit(query, unitQuery);
        return TopK(unitQuery, k);
    }

    /// <summary>Searches for every query; see <see cref="Search(float[], int)"/>. Queries run in parallel.</summary>
    /// <param name="queries">The query embeddings, each of length <see cref="Dimension"/>.</param>
    /// <param name="k">How many results to return per query at most.</param>
    /// <returns>One hit list per query, in query order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queries"/> or one of its vectors is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A query has the wrong length or contains NaN or infinity.</exception>
    public IReadOnlyList<SearchHit>[] Search(IReadOnlyList<float[]> queries, int k)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        for (int q = 0; q < queries.Count; q++)
        {
            CheckVector(queries[q], nameof(queries), q, Dimension);
        }

        var results = new IReadOnlyList<SearchHit>[queries.Count];
        Parallel.For(0, queries.Count, q =>
        {
            var unitQuery = new float[Dimension];
            WriteUnit(queries[q], unitQuery);
            results[q] = TopK(unitQuery, k);
        });
        return results;
    }

    /// <summary>Searches for every sparse query; see <see cref="Search(float[], int)"/>. Queries run in parallel.</summary>
    /// <param name="queries">The query vectors, each of length <see cref="Dimension"/>.</param>
    /// <param name="k">How many results to return per query at most.</param>
    /// <returns>One hit list per query, in query order; equal to the dense search of the same vectors.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queries"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A query has the wrong length or contains NaN or infinity.</exception>
    public IReadOnlyList<SearchHit>[] Search(IReadOnlyList<VBuffer<float>> queries, int k)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        for (int q = 0; q < queries.Count; q++)
        {
            SparseVectors.Check(queries[q], nameof(queries), q, Dimension);
        }

        var results = new IReadOnlyList<SearchHit>[queries.Count];
        Parallel.For(0, queries.Count, () => new float[Dimension], (q, _, unitQuery) =>
        {
            SparseVectors.WriteUnitDense(queries[q], unitQuery);
            results[q] = TopK(unitQuery, k);
            SparseVectors.Clear(queries[q], unitQuery);
            return unitQuery;
        }, _ => { });
        return results;
    }

    /// <summary>The cosine similarity of <paramref name="query"/> and the indexed vector at <paramref name="row"/>, computed
    /// as <see cref="Search(float[], int)"/> scores it (so the two compare exactly).</summary>
    internal float Similarity(float[] query, int row)
    {
        CheckVector(query, nameof(query), -1, Dimension);
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Count);
        var unitQuery = new float[Dimension];
        WriteUnit(query, unitQuery);
        return Score(unitQuery, row);
    }

    /// <summary>Cosine similarity of two vectors of equal length (0 when either is a zero vector).</summary>
    /// <param name="a">The first vector.</param>
    /// <param name="b">The second vector.</param>
    /// <returns>The cosine similarity, computed in double precision.</returns>
    /// <exception cref="ArgumentNullException">A vector is null.</exception>
    /// <exception cref="ArgumentException">The vectors differ in length.</exception>
    public static double Cosine(float[] a, float[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Expected vectors of equal length, got {a.Length} and {b.Length}.", nameof(b));
        }

        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }

    private IReadOnlyList<SearchHit> TopK(float[] unitQuery, int k)
    {
        int take = Math.Min(k, Count);
        // Min-heap on (score, -index): the root is the current worst of the kept hits.
        var heap = new PriorityQueue<int, (float Score, int Index)>(take + 1, WorstFirst.Instance);
        for (int i = 0; i < Count; i++)
        {
            float score = Score(unitQuery, i);
            if (heap.Count < take)
            {
                heap.Enqueue(i, (score, i));
            }
            else if (heap.TryPeek(out _, out var worst) && WorstFirst.Instance.Compare((score, i), worst) > 0)
            {
                heap.EnqueueDequeue(i, (score, i));
            }
        }
        var hits = new SearchHit[heap.Count];
        for (int r = hits.Length - 1; r >= 0; r--)
        {
            heap.TryDequeue(out int index, out var key);
            hits[r] = new SearchHit(index, key.Score);
        }
        return hits;
    }

    private float Score(float[] unitQuery, int row)
    {
        if (unitVectors is not null)
        {
            return Dot(unitQuery, unitVectors.AsSpan(row * Dimension, Dimension));
        }

        float sum = 0;
        for (int k = rowStart![row]; k < rowStart[row + 1]; k++)
        {
            sum += unitQuery[columns![k]] * values![k];
        }

        return sum;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int i = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<float>.Count)
        {
            var acc = Vector<float>.Zero;
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                acc += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
            }

            sum = Vector.Sum(acc);
        }
        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static void WriteUnit(float[] source, Span<float> destination)
    {
        double norm = 0;
        foreach (float v in source)
        {
            norm += (double)v * v;
        }

        float scale = norm == 0 ? 0f : (float)(1.0 / Math.Sqrt(norm));
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = source[i] * scale;
        }
    }

    private static int CheckVector(float[]? vector, string paramName, int position, int expectedLength)
    {
        string which = position >= 0 ? $"Vector {position} of '{paramName}'" : $"'{paramName}'";
        if (vector is null)
        {
            throw new ArgumentNullException(paramName, $"{which} is null.");
        }

        if (expectedLength < 0 && vector.Length == 0)
        {
            throw new ArgumentException($"{which} is empty; expected a non-empty embedding.", paramName);
        }

        if (expectedLength >= 0 && vector.Length != expectedLength)
        {
            throw new ArgumentException($"{which} has length {vector.Length}; expected {expectedLength}.", paramName);
        }

        foreach (float v in vector)
        {
            if (!float.IsFinite(v))
            {
                throw new ArgumentException($"{which} contains {v}; expected finite values.", paramName);
            }
        }
        return vector.Length;
    }

    private sealed class WorstFirst : IComparer<(float Score, int Index)>
    {
        public static readonly WorstFirst Instance = new();

        // Orders "worse" before "better": lower score is worse; at equal score the higher index is worse.
        public int Compare((float Score, int Index) x, (float Score, int Index) y)
        {
            int byScore = x.Score.CompareTo(y.Score);
            return byScore != 0 ? byScore : y.Index.CompareTo(x.Index);
        }
    }
}
