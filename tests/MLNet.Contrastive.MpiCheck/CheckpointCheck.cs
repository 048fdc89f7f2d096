using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Training.Distributed;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.MpiCheck;

/// <summary>
/// A Fit that writes a checkpoint after every step into a folder, as one process or under the launcher: it prints a line
/// per step (rank 0), may stop itself before a given step (an agreed cancellation), and prints the embeddings it ends
/// with, so that the tests can kill or stop it, run it again and compare with a run that never stopped.
/// </summary>
internal static class CheckpointCheck
{
    /// <summary>Fits with checkpoints in <paramref name="directory"/> (none when null); stops before step <paramref name="stopBefore"/> when given.</summary>
    public static void Run(ICommunicator? communicator, string? directory, int? stopBefore)
    {
        var rank = communicator?.Rank ?? 0;
        var size = communicator?.Size ?? 1;
        var mlContext = new MLContext(seed: 7);
        var rows = Enumerable.Range(0, 24).Select(i => new Pair
        {
            Anchor = $"question {i} about topic {i % 5} and more",
            Positive = $"answer {i} on topic {i % 5}",
        }).ToList();
        using var stop = new CancellationTokenSource();
        var resumedFrom = -1;
        var options = new ContrastiveEmbeddingOptions
        {
            EncoderKind = EncoderKind.Transformer,   // dropout 0.1: the resumed steps must replay the same masks
            Layers = 1, Heads = 2, Width = 16, FeedForwardWidth = 32, EmbeddingDimension = 8,
            LearnableTemperature = true,             // a parameter of the loss, and its AdamW state, in the checkpoint
            BatchSize = 6, ChunkSize = 4, Epochs = 3, LearningRate = 5e-3,
            CheckpointDirectory = directory, CheckpointEverySteps = 1, CheckpointsToKeep = 2,
            CancellationToken = stop.Token,
            Progress = new Progress(p =>
            {
                resumedFrom = resumedFrom < 0 ? p.ResumedFromStep : resumedFrom;
                Output.Line($"STEP rank={rank} step={p.Step} total={p.TotalSteps} resumed={p.ResumedFromStep} loss={p.Loss:R}");
                if (p.Step + 1 == stopBefore)
                {
                    stop.Cancel();
                }
            }),
        };
        try
        {
            using var model = mlContext.Transforms.ContrastiveEmbedding(options).Fit(mlContext.Data.LoadFromEnumerable(rows));
            var vectors = model.Transform(mlContext.Data.LoadFromEnumerable(rows.Take(4))).GetColumn<float[]>("Embedding").ToArray();
            var summary = model.TrainingSummary!;
            Output.Line(
                $"DONE rank={rank} size={size} steps={summary.Steps} resumed={resumedFrom} " +
                $"losses={string.Join(';', summary.Losses.Select(l => l.ToString("R")))} embedding={string.Join(';', vectors.SelectMany(v => v).Select(f => f.ToString("R")))}");
        }
        catch (OperationCanceledException)
        {
            Output.Line($"STOPPED rank={rank} size={size}");
        }
    }

    private sealed class Pair
    {
        public string Anchor { get; set; } = string.Empty;

        public string Positive { get; set; } = string.Empty;
    }

    private sealed class Progress(Action<ContrastiveTrainingProgress> onReport) : IProgress<ContrastiveTrainingProgress>
    {
        public void Report(ContrastiveTrainingProgress value) => onReport(value);
    }
}
