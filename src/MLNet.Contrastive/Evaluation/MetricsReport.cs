using System.Globalization;
using System.Text;

namespace MLNet.Contrastive.Evaluation;

/// <summary>Formats one or several named metrics results as aligned text or Markdown tables.</summary>
/// <remarks>Scores are printed with four decimals and counts as integers, invariant culture. Rows are the union of the metric names,
/// in order of first appearance; a result that lacks a metric gets an empty cell.</remarks>
public static class MetricsReport
{
    /// <summary>Formats one result as a two-column aligned text table (metric, value).</summary>
    /// <param name="metrics">The result to print.</param>
    /// <returns>The table, one line per metric, lines separated by <see cref="Environment.NewLine"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="metrics"/> is null.</exception>
    public static string ToText(IReportableMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return ToText(("Value", metrics));
    }

    /// <summary>Formats several named results side by side as an aligned text table (one column per result).</summary>
    /// <param name="results">The results and their column titles, for example ("TF-IDF baseline", m1), ("trained model", m2).</param>
    /// <returns>The table, lines separated by <see cref="Environment.NewLine"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="results"/>, a name or a result is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="results"/> is empty.</exception>
    public static string ToText(params (string Name, IReportableMetrics Metrics)[] results)
    {
        var (header, rows) = Tabulate(results);
        int[] widths = new int[header.Length];
        foreach (var line in rows.Prepend(header))
        {
            for (int c = 0; c < line.Length; c++)
            {
                widths[c] = Math.Max(widths[c], line[c].Length);
            }
        }
        var text = new StringBuilder();
        AppendAligned(text, header, widths);
        text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            AppendAligned(text, row, widths);
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>Formats several named results side by side as a Markdown table, for documentation.</summary>
    /// <param name="results">The results and their column titles.</param>
    /// <returns>A GitHub-flavoured Markdown table with the metric names in the first column.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="results"/>, a name or a result is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="results"/> is empty.</exception>
    public static string ToMarkdown(params (string Name, IReportableMetrics Metrics)[] results)
    {
        var (header, rows) = Tabulate(results);
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", header.Select(EscapeMarkdown)).AppendLine(" |");
        text.Append("|---").Append(string.Concat(Enumerable.Repeat("|---:", header.Length - 1))).AppendLine("|");
        foreach (var row in rows)
        {
            text.Append("| ").AppendJoin(" | ", row.Select(EscapeMarkdown)).AppendLine(" |");
        }

        return text.ToString().TrimEnd();
    }

    private static (string[] Header, List<string[]> Rows) Tabulate((string Name, IReportableMetrics Metrics)[] results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Length == 0)
        {
            throw new ArgumentException("Expected at least one named result.", nameof(results));
        }

        var metricNames = new List<string>();
        var lookups = new List<Dictionary<string, MetricValue>>();
        foreach (var (name, metrics) in results)
        {
            ArgumentNullException.ThrowIfNull(name, nameof(results));
            ArgumentNullException.ThrowIfNull(metrics, nameof(results));
            var lookup = new Dictionary<string, MetricValue>(StringComparer.Ordinal);
            foreach (var value in metrics.Values)
            {
                if (lookup.TryAdd(value.Name, value) && !metricNames.Contains(value.Name))
                {
                    metricNames.Add(value.Name);
                }
            }
            lookups.Add(lookup);
        }
        string[] header = ["Metric", .. results.Select(r => r.Name)];
        var rows = metricNames
            .Select(metric => (string[])[metric, .. lookups.Select(l => l.TryGetValue(metric, out var v) ? Format(v) : "")])
            .ToList();
        return (header, rows);
    }

    private static string Format(MetricValue value) =>
        value.Value.ToString(value.IsCount ? "0" : "0.0000", CultureInfo.InvariantCulture);

    private static void AppendAligned(StringBuilder text, string[] cells, int[] widths)
    {
        for (int c = 0; c < cells.Length; c++)
        {
            if (c > 0)
            {
                text.Append("  ");
            }

            text.Append(c == 0 ? cells[c].PadRight(widths[c]) : cells[c].PadLeft(widths[c]));
        }
        text.AppendLine();
    }

    private static string EscapeMarkdown(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal);
}
