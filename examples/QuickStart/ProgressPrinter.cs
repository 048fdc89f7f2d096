using System.Globalization;
using MLNet.Contrastive.Transforms;

namespace QuickStart;

/// <summary>Shows training progress (step, loss, examples/s, time left) as plain lines, one every twentieth of the run:
/// the view for redirected output (CI, logs, tests). On a terminal the QuickStart shows <see cref="LiveProgressBar"/> instead.</summary>
/// <param name="writer">Where to write.</param>
public sealed class ProgressPrinter(TextWriter writer) : IProgress<ContrastiveTrainingProgress>
{
    /// <summary>Gets the last report received, or null before the first step.</summary>
    public ContrastiveTrainingProgress? Last { get; private set; }

    /// <summary>Formats one report as the line this printer writes.</summary>
    /// <param name="value">The report.</param>
    /// <returns>The line, without a line break.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static string Format(ContrastiveTrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return string.Create(CultureInfo.InvariantCulture,
            $"  epoch {value.Epoch}  step {value.Step,4}/{value.TotalSteps}  loss {value.Loss,7:0.0000}  " +
            $"{value.ExamplesPerSecond,6:0} examples/s  ETA {value.EstimatedRemaining:mm\\:ss}");
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public void Report(ContrastiveTrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Last = value;
        if (value.Step == 1 || value.Step == value.TotalSteps || value.Step % Math.Max(1, value.TotalSteps / 20) == 0)
        {
            writer.WriteLine(Format(value));
            writer.Flush();
        }
    }
}
