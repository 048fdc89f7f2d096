namespace MLNet.Contrastive.Evaluation;

/// <summary>Pearson and Spearman correlation in double precision.</summary>
internal static class Correlation
{
    /// <summary>Pearson's product-moment correlation of two equally long series.</summary>
    /// <param name="x">The first series.</param>
    /// <param name="y">The second series.</param>
    /// <returns>The correlation in [-1, 1], or <see cref="double.NaN"/> when a series is constant.</returns>
    /// <exception cref="ArgumentNullException">A series is null.</exception>
    /// <exception cref="ArgumentException">The series differ in length, have fewer than 2 values, or contain NaN or infinity.</exception>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y);
        double meanX = x.Average(), meanY = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            double dx = x[i] - meanX, dy = y[i] - meanY;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? double.NaN : Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1);
    }

    /// <summary>Spearman's rank correlation: the Pearson correlation of the ranks, tied values sharing their average rank.</summary>
    /// <param name="x">The first series.</param>
    /// <param name="y">The second series.</param>
    /// <returns>The correlation in [-1, 1], or <see cref="double.NaN"/> when a series is constant.</returns>
    /// <exception cref="ArgumentNullException">A series is null.</exception>
    /// <exception cref="ArgumentException">The series differ in length, have fewer than 2 values, or contain NaN or infinity.</exception>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y);
        return Pearson(AverageRanks(x), AverageRanks(y));
    }

    /// <summary>Ranks values from 1 (smallest) to n; a run of equal values gets the mean of the ranks it spans.</summary>
    /// <param name="values">The values to rank.</param>
    /// <returns>One rank per value, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    public static double[] AverageRanks(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int[] order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ThenBy(i => i).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
            {
                end++;
            }

            double rank = (start + end) / 2.0 + 1; // mean of the 1-based ranks start+1 … end+1
            for (int k = start; k <= end; k++)
            {
                ranks[order[k]] = rank;
            }

            start = end + 1;
        }
        return ranks;
    }

    private static void Check(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count)
        {
            throw new ArgumentException($"Expected series of equal length, got {x.Count} and {y.Count}.", nameof(y));
        }

        if (x.Count < 2)
        {
            throw new ArgumentException($"Expected at least 2 values, got {x.Count}.", nameof(x));
        }

        if (x.Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException("Expected finite values.", nameof(x));
        }

        if (y.Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException("Expected finite values.", nameof(y));
        }
    }
}
