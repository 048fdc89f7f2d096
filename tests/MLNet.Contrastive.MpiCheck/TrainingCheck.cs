using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Training;
using MLNet.Contrastive.Training.Distributed;

namespace MLNet.Contrastive.MpiCheck;

/// <summary>Three optimizer steps data-parallel (and the same three in one process), a deliberate failure on one rank,
/// or a cancellation on one rank.</summary>
internal static class TrainingCheck
{
    /// <summary>Cancels the token of rank <paramref name="cancellingRank"/> after the first epoch; every rank must stop before
    /// the first step of the second with an <see cref="OperationCanceledException"/>, and the job must end normally.</summary>
    public static void RunCancelled(ICommunicator communicator, int cancellingRank)
    {
        var examples = Examples(24);
        using var encoder = TinyModels.Encoder(seed: 1, dropout: 0.1);
        using var cancel = new CancellationTokenSource();
        var settings = Options(communicator, failingRank: null) with
        {
            Epochs = 3,
            Validation = _ =>
            {
                if (communicator.Rank == cancellingRank)
                {
                    cancel.Cancel();
                }

                return 0;
            },
        };
        try
        {
            new ContrastiveTrainer(encoder, null, Loss(), settings).Train(examples, cancellationToken: cancel.Token);
            Output.Line($"TRAIN rank={communicator.Rank} size={communicator.Size} finished");
        }
        catch (OperationCanceledException e)
        {
            Output.Line($"CANCELLED rank={communicator.Rank} size={communicator.Size} own_token={cancel.IsCancellationRequested} message={e.Message.Replace(' ', '_')}");
        }
    }

    public static void Run(ICommunicator communicator, int? failingRank)
    {
        var examples = Examples(24);
        using var encoder = TinyModels.Encoder(seed: 1, dropout: 0.1);
        var options = Options(communicator, failingRank);
        Output.Line($"TRAIN rank={communicator.Rank} size={communicator.Size} started");
        var result = new ContrastiveTrainer(encoder, null, Loss(), options).Train(examples);
        var checksum = ParameterSync.Checksum(encoder.parameters().ToArray());

        // The same training in one process, from the same initial weights.
        using var single = TinyModels.Encoder(seed: 1, dropout: 0.1);
        var reference = new ContrastiveTrainer(single, null, Loss(), options with { Communicator = null }).Train(examples);
        var difference = encoder.parameters().Zip(single.parameters()).Max(p => (p.First - p.Second).abs().max().item<float>());
        var scale = single.parameters().Max(p => p.abs().max().item<float>());
        Output.Line(
            $"TRAIN rank={communicator.Rank} size={communicator.Size} finished steps={result.Steps} checksum={checksum:x16} " +
            $"losses={string.Join(';', result.Losses.Select(l => l.ToString("R")))} reference_losses={string.Join(';', reference.Losses.Select(l => l.ToString("R")))} " +
            $"weight_difference={difference / scale:R}");
    }

    private static ContrastiveLoss Loss() => LossSpec.Create(LossKind.SymmetricInfoNce, Temperature.Learnable(0.1), rowChunkSize: 4);

    private static ContrastiveTrainer.Settings Options(ICommunicator communicator, int? failingRank) => new()
    {
        BatchSize = 8,
        Cache = new GradientCacheOptions { ChunkSize = 3 },
        Epochs = failingRank is null ? 1 : 3,
        LearningRate = 1e-3,
        WarmupSteps = 0,
        Seed = 5,
        Communicator = communicator,
        Validation = failingRank is not { } rank ? null : epoch =>
        {
            if (communicator.Rank == rank)
            {
                Output.Line($"THROW rank={communicator.Rank} at_unix_ms={DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
                throw new InvalidOperationException($"deliberate failure on rank {rank} after epoch {epoch}");
            }

            return 0;
        },
    };

    private static ContrastiveExample[] Examples(int count)
    {
        var queries = TinyModels.Texts(count, seed: 30);
        var documents = TinyModels.Texts(count * 2, seed: 31);
        return Enumerable.Range(0, count)
            .Select(i => new ContrastiveExample(queries[i], documents[2 * i], [documents[(2 * i) + 1]], Group: i % 5 == 0 ? 1 : null))
            .ToArray();
    }
}
