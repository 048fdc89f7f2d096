namespace MLNet.Contrastive.Evaluation;

/// <summary>A metrics object that can be printed as a table by <see cref="MetricsReport"/>.</summary>
public interface IReportableMetrics
{
    /// <summary>Gets the metric values in display order, each with its display name.</summary>
    IReadOnlyList<MetricValue> Values { get; }
}
