using System.Diagnostics;
using System.Globalization;
using DistributedTraining;
using ExampleData;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Evaluation;
using MLNet.Contrastive.Training.Distributed;
using MLNet.Contrastive.Transforms;

// Data-parallel contrastive training: every rank runs this same program on the same data. With
// Distributed = Auto (the default) training is spread over the ranks of an MPI launcher
// (mpiexec -n 2 ...), and the in-batch negatives come from the whole global batch of BatchSize examples.
// Only rank 0 prints, evaluates and saves. Options: --quick (a smaller run), --out model.zip.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var quick = args.Contains("--quick");
var output = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault() ?? "distributed-model.zip";
var rank = MpiLauncher.Rank;
var ranks = MpiLauncher.Size ?? 1;

// Every rank builds the same pairs (a seeded split of the .NET SDK's API documentation).
var task = ApiDocsTaskBuilder.Build(new ApiDocsTaskOptions { MaximumMembers = quick ? 600 : 3000, Seed = 42 });
var rows = task.TrainPairs.Select(p => new Pair { Anchor = p.Anchor, Positive = p.Positive }).ToList();
var mlContext = new MLContext(seed: 42);
if (rank == 0)
{
    Console.WriteLine($"{ranks} rank(s) ({MpiLauncher.Kind}); {rows.Count} training pairs; {task.Test.Queries.Count} test queries.");
    mlContext.Log += (_, e) =>
    {
        if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Source.StartsWith("ContrastiveEmbedding", StringComparison.Ordinal))
        {
            Console.WriteLine($"  {e.Message}");
        }
    };
}

var options = new ContrastiveEmbeddingOptions
{
    BatchSize = quick ? 64 : 256,      // the global batch: every query sees BatchSize - 1 in-batch negatives
    ChunkSize = 16,                    // texts per forward/backward chunk; chunks are dealt round-robin to the ranks
    Epochs = quick ? 1 : 2,
    Distributed = DistributedMode.Auto,
    IntraOpThreads = Math.Max(1, Environment.ProcessorCount / ranks),   // R ranks x T threads <= the cores
    Progress = new Progress<ContrastiveTrainingProgress>(p =>   // reported on rank 0 only
        Console.WriteLine($"  step {p.Step}/{p.TotalSteps}: loss {p.Loss:0.000}, {p.ExamplesPerSecond:0} examples/s")),
};
var clock = Stopwatch.StartNew();
using var model = mlContext.Transforms.ContrastiveEmbedding(options).Fit(mlContext.Data.LoadFromEnumerable(rows));

// Every rank now holds the same weights (checked by a checksum at the end of training); one of them is enough.
if (rank == 0)
{
    Console.WriteLine($"Trained {model.TrainingSummary!.Steps} steps in {clock.Elapsed.TotalSeconds:0.0} s.");
    var metrics = RetrievalEvaluator.Evaluate(task.Test, texts => Embed(mlContext, model, texts));
    Console.WriteLine($"Test recall@1 {metrics.RecallAt1:0.000}, MRR@10 {metrics.MrrAt10:0.000} over {metrics.QueryCount} queries.");
    mlContext.Model.SaveAtomically(model, null, output);
    Console.WriteLine($"Saved {Path.GetFullPath(output)}.");
}

static IReadOnlyList<float[]> Embed(MLContext mlContext, ITransformer model, IReadOnlyList<string> texts) =>
    model.Transform(mlContext.Data.LoadFromEnumerable(texts.Select(t => new Pair { Anchor = t })))
        .GetColumn<float[]>("Embedding").ToArray();
