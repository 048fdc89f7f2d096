using System.Globalization;
using MLNet.Contrastive.MLNet;

namespace QuickStart;

/// <summary>Shows training progress (step, loss, examples/s, time left): on one live console line, or as a line
/// every twentieth of the run when the output is a file or a test.</summary>
/// <param name="writer">Where to write.</param>
/// <param name="liveLine">Whether to overwrite one line with <c>\r</c>.</param>
public sealed class ProgressPrinter(TextWriter writer, bool liveLine) : IProgress<ContrastiveTrainingProgress>
{
    /// <summary>Gets the last report received, or null before the first step.</summary>
    public ContrastiveTrainingProgress? Last { get; private set; }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public void Report(ContrastiveTrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Last = value;
        string line = string.Create(CultureInfo.InvariantCulture,
            $"  epoch {value.Epoch}  step {value.Step,4}/{value.TotalSteps}  loss {value.Loss,7:0.0000}  " +
            $"{value.ExamplesPerSecond,6:0} examples/s  ETA {value.EstimatedRemaining:mm\\:ss}");
        if (liveLine)
        {
            writer.Write('\r' + line);
            if (value.Step == value.TotalSteps)
                writer.WriteLine();
        }
        else if (value.Step == 1 || value.Step == value.TotalSteps || value.Step % Math.Max(1, value.TotalSteps / 20) == 0)
        {
            writer.WriteLine(line);
        }

        writer.Flush();
    }
}
