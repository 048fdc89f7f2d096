using System.Diagnostics;
using System.Globalization;
using MLNet.Contrastive.Experiments;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

CommandLine? parsed;
try
{
    parsed = CommandLine.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine();
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}

if (parsed is not { } commandLine)
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}

var repositoryRoot = Paths.FindRepositoryRoot();
var dataDirectory = Paths.FindData(commandLine.DataDirectory, repositoryRoot);
if (dataDirectory is null)
{
    Console.WriteLine("The public data for the experiments is missing, so nothing was run and docs/experiments.md was not changed.");
    Console.WriteLine(commandLine.DataDirectory is { } given
        ? $"'{given}' does not hold the expected files: {string.Join(", ", Paths.RequiredFiles)}."
        : $"Looked for ../shared/data beside the repository root and its ancestors (expected files: {string.Join(", ", Paths.RequiredFiles)}). Pass --data DIR to point elsewhere.");
    return 0;
}

if (repositoryRoot is null)
{
    Console.Error.WriteLine("Cannot find the repository root (a folder holding MLNet.Contrastive.sln) from the working directory; run from inside the repository.");
    return 2;
}

var docs = Path.Combine(repositoryRoot, "docs");
Console.WriteLine($"Data: {dataDirectory}; writing {Path.Combine(docs, "experiments.md")}{(commandLine.Quick ? " (quick mode)" : string.Empty)}.");
var total = Stopwatch.StartNew();
var runner = new Runner(Path.Combine(dataDirectory, "vocab", "bert-base-uncased-vocab.txt"));
var sections = new List<(string Name, string Markdown)>();
if (commandLine.Runs("sts"))
{
    sections.Add(("sts", StsExperiment.Run(runner, dataDirectory, docs, commandLine.Quick)));
}

if (commandLine.Runs("batch") || commandLine.Runs("dcl") || commandLine.Runs("pretrained"))
{
    var quora = QuoraTask.Build(Path.Combine(dataDirectory, "quora", "quora-dev.csv"),
        testPairs: commandLine.Quick ? 300 : 1000, validationPairs: commandLine.Quick ? 200 : 500, distractors: commandLine.Quick ? 500 : 3000, seed: 1234);
    var experiments = new QuoraExperiments(runner, quora, docs, commandLine.Quick);
    if (commandLine.Runs("batch"))
    {
        sections.Add(("batch", experiments.RunBatch()));
    }

    if (commandLine.Runs("dcl"))
    {
        sections.Add(("dcl", experiments.RunDcl()));
    }

    if (commandLine.Runs("pretrained"))
    {
        sections.Add(("pretrained", new PretrainedExperiment(runner, dataDirectory, quora, docs, commandLine.Quick).Run()));
    }
}

if (commandLine.Runs("apidocs"))
{
    sections.Add(("apidocs", new ApiDocsBatchExperiment(runner, docs, commandLine.Quick).Run()));
}

total.Stop();
var reportPath = Path.Combine(docs, "experiments.md");
var previous = File.Exists(reportPath) ? File.ReadAllText(reportPath) : string.Empty;
File.WriteAllText(reportPath, Report.Build(commandLine, Report.MergeSections(previous, sections), total.Elapsed, Report.KeptDiscussion(previous)));
Console.WriteLine($"Done in {total.Elapsed.TotalMinutes:0.0} min.");
return 0;
