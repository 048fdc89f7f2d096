using System.Globalization;
using MLNet.Contrastive.Transforms;
using Spectre.Console;

namespace QuickStart;

/// <summary>Shows training progress as a live Spectre.Console progress bar (epoch, loss, examples/s, percentage, time
/// left) while <see cref="Run{T}"/> runs the training; the QuickStart uses it only on an interactive terminal.</summary>
public sealed class LiveProgressBar : IProgress<ContrastiveTrainingProgress>
{
    private ProgressTask? task;

    /// <summary>Gets the last report received, or null before the first step.</summary>
    public ContrastiveTrainingProgress? Last { get; private set; }

    /// <summary>Returns the console to draw a live bar on, or <see langword="null"/> for plain lines: when the output is
    /// redirected, or the console is not interactive (Spectre.Console's profile says so under CI and for <c>TERM=dumb</c>).</summary>
    /// <param name="outputRedirected">Whether standard output is redirected (<see cref="Console.IsOutputRedirected"/>).</param>
    /// <param name="console">The terminal.</param>
    /// <returns><paramref name="console"/> or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="console"/> is null.</exception>
    public static IAnsiConsole? ChooseConsole(bool outputRedirected, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        return !outputRedirected && console.Profile.Capabilities.Interactive ? console : null;
    }

    /// <summary>Runs <paramref name="work"/> (the training, which reports to this object) under a live progress bar.</summary>
    /// <typeparam name="T">What the work returns.</typeparam>
    /// <param name="console">The terminal.</param>
    /// <param name="work">The work.</param>
    /// <returns>What <paramref name="work"/> returned.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public T Run<T>(IAnsiConsole console, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(work);
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                task = context.AddTask("  training", maxValue: 1);
                try
                {
                    return work();
                }
                finally
                {
                    task.StopTask();
                    task = null;
                }
            });
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public void Report(ContrastiveTrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Last = value;
        if (this.task is not { } task)
        {
            return;
        }

        task.MaxValue = Math.Max(1, value.TotalSteps);
        task.Value = value.Step;
        task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"  epoch {value.Epoch}  step {value.Step}/{value.TotalSteps}  loss {value.Loss:0.0000}  {value.ExamplesPerSecond:0} examples/s"));
    }
}
