using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Training;
using MLNet.Contrastive.Training.Distributed;
using static TorchSharp.torch;

namespace MLNet.Contrastive.MpiCheck;

/// <summary>The distributed step against the one-process step on the same global batch, per loss and batch shape.</summary>
internal static class StepCases
{
    private sealed record Case(string Name, LossKind Loss, int Batch, int Negatives, bool Grouped, bool TwoTowers, bool Learnable, int QueryChunk, int DocumentChunk);

    private static readonly Case[] Cases =
    [
        new("infonce", LossKind.InfoNce, 12, 0, false, false, false, 2, 3),
        new("symmetric", LossKind.SymmetricInfoNce, 12, 1, false, true, false, 2, 3),
        new("dcl", LossKind.Dcl, 12, 1, false, false, false, 3, 4),
        new("hard-negatives", LossKind.InfoNce, 10, 2, false, false, true, 2, 5),
        new("groups", LossKind.SymmetricInfoNce, 12, 1, true, false, false, 2, 3),
        // 11 examples: no rank count of 2 or 3 divides it, nor the chunk counts (6 query, 8 document chunks).
        new("indivisible", LossKind.InfoNce, 11, 1, true, false, false, 2, 3),
        // One query chunk for 2-3 ranks: ranks without a chunk contribute no rows and still get the full gradient.
        new("fewer-chunks-than-ranks", LossKind.InfoNce, 5, 1, false, false, false, 8, 4),
    ];

    public static void Run(ICommunicator communicator)
    {
        foreach (var c in Cases)
        {
            RunCase(communicator, c);
        }
    }

    private static void RunCase(ICommunicator communicator, Case c)
    {
        using var scope = NewDisposeScope();
        using var queryEncoder = TinyModels.Encoder(seed: 1, dropout: 0.1);
        using var documentEncoder = c.TwoTowers ? TinyModels.Encoder(seed: 2, dropout: 0.1) : null;
        queryEncoder.train();
        documentEncoder?.train();
        var loss = LossSpec.Create(c.Loss, c.Learnable ? Temperature.Learnable(0.1) : Temperature.Fixed(0.1), rowChunkSize: 3);
        var parameters = queryEncoder.parameters().Concat(documentEncoder?.parameters() ?? []).Concat(loss.Parameters()).ToArray();
        var queries = TinyModels.Texts(c.Batch, seed: 10);
        var documents = TinyModels.Texts(c.Batch * (1 + c.Negatives), seed: 20);
        long[]? groups = c.Grouped ? Enumerable.Range(0, c.Batch).Select(i => (long)(i % 4 == 1 ? i - 1 : i)).ToArray() : null;
        var cache = new GradientCache(queryEncoder, documentEncoder, loss, new GradientCacheOptions
        {
            ChunkSize = c.QueryChunk,
            DocumentChunkSize = c.DocumentChunk,
            SortByLength = true,
            ReplaySeed = 7,
        });

        // Dropout is on (p = 0.1): equality needs the same masks, i.e. the replay seed of each chunk's global index.
        var distributed = new DistributedGradientCache(cache, communicator).Step(queries, documents, c.Negatives, groups, step: 3);
        var distributedGradients = TinyModels.Gradients(parameters);
        TinyModels.ZeroGradients(parameters);
        var reference = cache.Step(queries, documents, c.Negatives, groups, step: 3);
        var referenceGradients = TinyModels.Gradients(parameters);
        var error = TinyModels.RelativeError(distributedGradients, referenceGradients);
        var owned = Enumerable.Range(0, distributed.QueryChunks).Count(i => i % communicator.Size == communicator.Rank);
        Output.Line(
            $"STEP rank={communicator.Rank} size={communicator.Size} case={c.Name} loss={distributed.Loss:R} reference={reference.Loss:R} " +
            $"gradient_error={error:R} query_chunks={distributed.QueryChunks} owned_query_chunks={owned}");
    }
}
