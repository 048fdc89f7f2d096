using MLNet.Contrastive.Transforms;
using QuickStart;
using Spectre.Console.Testing;

namespace MLNet.Contrastive.Tests.Examples;

/// <summary>The QuickStart's two progress views: plain lines for redirected output, a live bar on a terminal.</summary>
[TestClass]
public sealed class QuickStartProgressTests
{
    private static ContrastiveTrainingProgress Step(int step, int total) =>
        new(1, step, total, 2.5f - (0.01f * step), 123.4, TimeSpan.FromSeconds(total - step));

    [TestMethod]
    public void ProgressPrinter_Redirected_WritesPlainLinesEveryTwentiethStep()
    {
        using var writer = new StringWriter();
        var printer = new ProgressPrinter(writer);
        for (var step = 1; step <= 100; step++)
        {
            printer.Report(Step(step, 100));
        }

        var lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(21, lines, "step 1, then every 5th step up to 100");
        Assert.AreEqual("  epoch 1  step    1/100  loss  2.4900     123 examples/s  ETA 01:39", lines[0]);
        Assert.IsFalse(writer.ToString().Any(c => c is '\r' or '\u001b'), "no carriage returns or ANSI escapes in a log");
        Assert.AreEqual(100, printer.Last!.Step);
    }

    [TestMethod]
    public void ChooseConsole_RedirectedOrNotInteractive_GivesPlainLines()
    {
        var terminal = new TestConsole().Interactive();
        var dumb = new TestConsole();
        dumb.Profile.Capabilities.Interactive = false;

        Assert.AreSame(terminal, LiveProgressBar.ChooseConsole(outputRedirected: false, terminal));
        Assert.IsNull(LiveProgressBar.ChooseConsole(outputRedirected: true, terminal));
        Assert.IsNull(LiveProgressBar.ChooseConsole(outputRedirected: false, dumb));
    }

    [TestMethod]
    public void LiveProgressBar_OnATerminal_DrawsTheLastStepAndReturnsTheWork()
    {
        var console = new TestConsole().Interactive();
        var bar = new LiveProgressBar();

        var result = bar.Run(console, () =>
        {
            for (var step = 1; step <= 10; step++)
            {
                bar.Report(Step(step, 10));
            }

            return 42;
        });

        Assert.AreEqual(42, result);
        Assert.AreEqual(10, bar.Last!.Step);
        StringAssert.Contains(console.Output, "step 10/10");
        StringAssert.Contains(console.Output, "100%");
    }
}
