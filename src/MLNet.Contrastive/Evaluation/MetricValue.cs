namespace MLNet.Contrastive.Evaluation;

/// <summary>One named value of a metrics result, as printed by <see cref="MetricsReport"/>.</summary>
/// <param name="Name">The display name, for example "nDCG@10".</param>
/// <param name="Value">The value.</param>
/// <param name="IsCount">True for a count (printed as an integer), false for a score (printed with four decimals).</param>
public readonly record struct MetricValue(string Name, double Value, bool IsCount = false);
