using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Training.Distributed;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.MpiCheck;

/// <summary>The ML.NET estimator under the launcher with <see cref="DistributedMode.Auto"/>: the same embeddings on every
/// rank, progress on rank 0 only.</summary>
internal static class FitCheck
{
    /// <summary>Fits with <paramref name="mode"/>; <paramref name="communicator"/> only labels the output (null: one process).</summary>
    public static void Run(ICommunicator? communicator, DistributedMode mode)
    {
        var mlContext = new MLContext(seed: 3);
        var rows = Enumerable.Range(0, 20).Select(i => new Pair
        {
            Anchor = $"question {i} about topic {i % 4}",
            Positive = $"answer {i} on topic {i % 4}",
        }).ToList();
        var reports = 0;
        var options = new ContrastiveEmbeddingOptions
        {
            EncoderKind = EncoderKind.Transformer,   // with dropout, the strictest case for equal masks
            Layers = 1,
            Heads = 2,
            Width = 16,
            FeedForwardWidth = 32,
            EmbeddingDimension = 8,
            BatchSize = 10,
            ChunkSize = 3,
            Epochs = 2,
            Distributed = mode,
            Progress = new Progress(() => reports++),
        };
        var model = mlContext.Transforms.ContrastiveEmbedding(options).Fit(mlContext.Data.LoadFromEnumerable(rows));
        var vectors = model.Transform(mlContext.Data.LoadFromEnumerable(rows.Take(3))).GetColumn<float[]>("Embedding").ToArray();
        var values = string.Join(';', vectors.SelectMany(v => v).Select(f => f.ToString("R")));
        Output.Line(
            $"FIT rank={communicator?.Rank ?? 0} size={communicator?.Size ?? 1} launcher_rank={MpiLauncher.Rank} steps={model.TrainingSummary!.Steps} " +
            $"reports={reports} mpi_loaded={MpiLoaded()} embedding={values}");
    }

    // Whether any MPI library is mapped into this process (Linux).
    private static bool MpiLoaded() =>
        File.Exists("/proc/self/maps") && File.ReadLines("/proc/self/maps").Any(l => l.Contains("libmpi", StringComparison.Ordinal));

    private sealed class Pair
    {
        public string Anchor { get; set; } = string.Empty;

        public string Positive { get; set; } = string.Empty;
    }

    private sealed class Progress(Action onReport) : IProgress<ContrastiveTrainingProgress>
    {
        public void Report(ContrastiveTrainingProgress value) => onReport();
    }
}
