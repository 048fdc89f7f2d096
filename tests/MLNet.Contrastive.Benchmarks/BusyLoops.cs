using System.Diagnostics;

namespace MLNet.Contrastive.Benchmarks;

/// <summary>CPU-bound neighbour processes (this program's <c>--child burn</c>), killed on dispose.</summary>
internal sealed class BusyLoops : IDisposable
{
    private readonly List<Process> processes;

    private BusyLoops(List<Process> processes) => this.processes = processes;

    /// <summary>Starts <paramref name="count"/> busy loops and waits a moment until they run.</summary>
    public static BusyLoops Start(int count)
    {
        var started = new List<Process>();
        for (var i = 0; i < count; i++)
        {
            started.Add(Process.Start(Measure.ChildStartInfo([Program.ChildFlag, NoisyNeighbourSuite.BurnName, "0"], null, redirect: false))!);
        }

        Thread.Sleep(1000);
        return new BusyLoops(started);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var process in processes)
        {
            try
            {
                process.Kill();
                process.WaitForExit();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }
    }
}
