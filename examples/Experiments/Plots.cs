using ScottPlot;

namespace MLNet.Contrastive.Experiments;

/// <summary>PNG plots of training curves (ScottPlot).</summary>
internal static class Plots
{
    /// <summary>Training loss against epochs (step / steps per epoch), as a moving average so that runs with different batch sizes compare.</summary>
    internal static void Loss(string path, string title, IEnumerable<RunResult> runs, Func<RunResult, string> label)
    {
        var plot = new Plot();
        var legend = new Legend(label);
        foreach (var run in runs)
        {
            var losses = run.Summary.Losses;
            var stepsPerEpoch = (double)losses.Count / run.Spec.Epochs;
            var window = Math.Max(1, losses.Count / 50);
            var xs = new double[losses.Count];
            var ys = new double[losses.Count];
            for (var i = 0; i < losses.Count; i++)
            {
                xs[i] = (i + 1) / stepsPerEpoch;
                var from = Math.Max(0, i - window + 1);
                ys[i] = losses.Skip(from).Take(i - from + 1).Average();
            }

            var line = plot.Add.ScatterLine(xs, ys);
            (line.LegendText, line.Color) = legend.For(run);
            line.LineWidth = 2;
        }

        Finish(plot, path, title, "epoch", $"training loss (moving average over ~2% of steps)");
    }

    /// <summary>Validation recall@1 after each epoch.</summary>
    internal static void Validation(string path, string title, IEnumerable<RunResult> runs, Func<RunResult, string> label)
    {
        var plot = new Plot();
        var legend = new Legend(label);
        foreach (var run in runs)
        {
            var recall = run.Summary.ValidationRecallAt1;
            var xs = Enumerable.Range(1, recall.Count).Select(e => (double)e).ToArray();
            var scatter = plot.Add.Scatter(xs, recall.ToArray());
            (scatter.LegendText, scatter.Color) = legend.For(run);
            scatter.LineWidth = 2;
            scatter.MarkerSize = 7;
        }

        Finish(plot, path, title, "epoch", "validation recall@1");
    }

    private static void Finish(Plot plot, string path, string title, string x, string y)
    {
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        plot.ShowLegend(Edge.Right);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        plot.SavePng(path, 1000, 500);
    }

    /// <summary>One colour and one legend entry per setting; further seeds of a setting get its colour and no entry.</summary>
    private sealed class Legend(Func<RunResult, string> label)
    {
        private readonly Dictionary<string, Color> colors = new();
        private readonly ScottPlot.Palettes.Category10 palette = new();

        internal (string Text, Color Color) For(RunResult run)
        {
            var text = label(run);
            if (colors.TryGetValue(text, out var color))
            {
                return (string.Empty, color);
            }

            color = palette.GetColor(colors.Count);
            colors[text] = color;
            return (text, color);
        }
    }
}
