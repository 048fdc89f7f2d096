using System.Globalization;
using System.Text;

namespace MLNet.Contrastive.Benchmarks;

/// <summary>Collects Markdown sections and writes docs/benchmarks.md.</summary>
internal sealed class Report
{
    private readonly StringBuilder text = new();

    public Report(bool quick)
    {
        text.AppendLine("# Benchmarks");
        text.AppendLine();
        if (quick)
        {
            text.AppendLine("> **Quick run (`--quick`)**: tiny sizes, only to check that the program works. These numbers are not benchmark results.");
            text.AppendLine();
        }

        text.AppendLine("Written by `dotnet run -c Release --project tests/MLNet.Contrastive.Benchmarks` — do not edit by hand.");
        text.AppendLine("All numbers of one table come from one run on one machine; ratios compare numbers of the same run.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Environment.ProcessorCount} cores, {Measure.Gb(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)} GB memory, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, .NET {Environment.Version}, TorchSharp threads {TorchSharp.torch.get_num_threads()}");
        text.AppendLine();
    }

    public void Section(string title, string body)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"## {title}");
        text.AppendLine();
        text.AppendLine(body.TrimEnd());
        text.AppendLine();
        Console.WriteLine($"## {title}\n{body}");
    }

    public void Write(string path)
    {
        File.WriteAllText(path, text.ToString());
        Console.WriteLine($"Wrote {path}");
    }
}
