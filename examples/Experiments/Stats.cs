using System.Globalization;
using MLNet.Contrastive.Evaluation;

namespace MLNet.Contrastive.Experiments;

/// <summary>Mean and spread over seeds, and number formatting for the tables.</summary>
internal static class Stats
{
    internal static string MeanSpread(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        if (values.Count < 2)
        {
            return F(mean);
        }

        var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return $"{F(mean)} ± {F(sd)} (min {F(values.Min())}, max {F(values.Max())})";
    }

    /// <summary>A retrieval table row: label, seeds, steps, Recall@1, MRR@10 and Recall@10 over seeds, mean training time.</summary>
    internal static string RetrievalRow(string label, long steps, IReadOnlyList<RetrievalMetrics> seeds, IReadOnlyList<TimeSpan> times) =>
        $"| {label} | {seeds.Count} | {steps} | {MeanSpread(seeds.Select(m => m.RecallAt1).ToList())} | " +
        $"{MeanSpread(seeds.Select(m => m.MrrAt10).ToList())} | {MeanSpread(seeds.Select(m => m.RecallAt10).ToList())} | " +
        $"{Seconds(TimeSpan.FromTicks((long)times.Average(t => t.Ticks)))} |";

    internal static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    internal static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + " s";
}
