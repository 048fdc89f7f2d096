using Microsoft.ML.Data;

namespace MLNet.Contrastive.Evaluation;

/// <summary>
/// Checks and unit-normalises ML.NET <see cref="VBuffer{T}"/> vectors for <see cref="CosineIndex"/>, with the same
/// arithmetic as its dense path (norm summed in double over the values in column order, one float scale), so that
/// sparse and dense inputs give bit-identical scores.
/// </summary>
internal static class SparseVectors
{
    /// <summary>Returns the vector's length after checking it is non-empty (or <paramref name="expectedLength"/>) and finite.</summary>
    internal static int Check(in VBuffer<float> vector, string paramName, int position, int expectedLength)
    {
        string which = position >= 0 ? $"Vector {position} of '{paramName}'" : $"'{paramName}'";
        if (expectedLength < 0 && vector.Length == 0)
        {
            throw new ArgumentException($"{which} is empty; expected a non-empty vector.", paramName);
        }

        if (expectedLength >= 0 && vector.Length != expectedLength)
        {
            throw new ArgumentException($"{which} has length {vector.Length}; expected {expectedLength}.", paramName);
        }

        foreach (float v in vector.GetValues())
        {
            if (!float.IsFinite(v))
            {
                throw new ArgumentException($"{which} contains {v}; expected finite values.", paramName);
            }
        }
        return vector.Length;
    }

    /// <summary>Counts the stored values that are not zero.</summary>
    internal static int NonZeros(in VBuffer<float> vector)
    {
        int count = 0;
        foreach (float v in vector.GetValues())
        {
            count += v != 0 ? 1 : 0;
        }

        return count;
    }

    /// <summary>Appends the unit vector's non-zero (column, value) pairs at <paramref name="next"/>; returns the new end.</summary>
    internal static int WriteUnitRow(in VBuffer<float> vector, int[] columns, float[] values, int next)
    {
        var source = vector.GetValues();
        var indices = vector.GetIndices();
        float scale = Scale(source);
        for (int k = 0; k < source.Length; k++)
        {
            if (source[k] == 0)
            {
                continue;
            }

            columns[next] = vector.IsDense ? k : indices[k];
            values[next++] = source[k] * scale;
        }
        return next;
    }

    /// <summary>Writes the unit vector into <paramref name="destination"/>, which must be all zeros.</summary>
    internal static void WriteUnitDense(in VBuffer<float> vector, float[] destination)
    {
        var source = vector.GetValues();
        var indices = vector.GetIndices();
        float scale = Scale(source);
        for (int k = 0; k < source.Length; k++)
        {
            destination[vector.IsDense ? k : indices[k]] = source[k] * scale;
        }
    }

    /// <summary>Sets back to zero the positions <see cref="WriteUnitDense"/> wrote.</summary>
    internal static void Clear(in VBuffer<float> vector, float[] destination)
    {
        if (vector.IsDense)
        {
            Array.Clear(destination);
            return;
        }

        foreach (int index in vector.GetIndices())
        {
            destination[index] = 0;
        }
    }

    private static float Scale(ReadOnlySpan<float> values)
    {
        double norm = 0;
        foreach (float v in values)
        {
            norm += (double)v * v;
        }

        return norm == 0 ? 0f : (float)(1.0 / Math.Sqrt(norm));
    }
}
