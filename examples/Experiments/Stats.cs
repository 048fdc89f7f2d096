using System.Globalization;

namespace MLNet.Contrastive.Experiments;

/// <summary>Mean and spread over seeds, and number formatting for the tables.</summary>
internal static class Stats
{
    internal static string MeanSpread(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        if (values.Count < 2) return F(mean);
        var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return $"{F(mean)} ± {F(sd)} (min {F(values.Min())}, max {F(values.Max())})";
    }

    internal static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    internal static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + " s";
}
