using System.Globalization;
using System.Text;
using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Text;
using MLNet.Contrastive.Training;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Benchmarks;

/// <summary>
/// Suite a: time of one gradient-cache step against one full-batch autograd step and against the cache's ideal
/// (one no-grad forward of the batch plus one full-batch forward and backward), each batch size in its own process.
/// </summary>
internal static class StepTimeSuite
{
    public const string ChildName = "step";

    public static void Run(Report report, BenchmarkConfig config)
    {
        var rows = new StringBuilder();
        rows.AppendLine("| B | cached s | full s | ideal s | cached/ideal | cached/full | ideal's no-grad forward s | cache phases s (no-grad / loss / fwd+bwd) | peak RSS GB (cached / after full) |");
        rows.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---|---|");
        var missed = new List<string>();
        var failed = 0;
        foreach (var batch in config.StepBatches)
        {
            Console.WriteLine($"[a] B={batch} ...");
            var r = ChildResult.TryRun(Program.ChildArguments(config, ChildName, batch), out var failure);
            if (r is null)
            {
                rows.AppendLine(CultureInfo.InvariantCulture, $"| {batch} | {failure} (exit 137 is a kill, usually out of memory) ||||||||");
                failed++;
                continue;
            }

            var ideal = r["nograd"] + r["full"];
            var ratio = r["cached"] / ideal;
            if (ratio > 1.05)
            {
                missed.Add(string.Create(CultureInfo.InvariantCulture, $"B={batch} ({ratio:0.000})"));
            }

            rows.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {batch} | {r["cached"]:0.000} | {r["full"]:0.000} | {ideal:0.000} | {ratio:0.000} | {r["cached"] / r["full"]:0.000} | {r["nograd"]:0.000} | {r["phase1"]:0.000} / {r["phase2"]:0.000} / {r["phase3"]:0.000} | {Measure.Gb((long)r["rssCached"])} / {Measure.Gb((long)r["rssFull"])} |"));
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Configuration: {config.EncoderDescription}; shared encoder, training mode; B queries and B positives (k = 0), every text exactly {config.StepLength} synthetic token ids; InfoNCE, fixed temperature 0.05; cache chunk {config.Chunk} per side, dropout replay on. No optimizer step in any column.");
        text.AppendLine();
        text.AppendLine("- **cached**: `GradientCache.Step` (no-grad pass over all chunks, loss and its gradient on the embeddings, chunk-by-chunk re-encode and backward).");
        text.AppendLine("- **full**: one forward of all B queries and of all B documents with autograd, the same loss, one backward.");
        text.AppendLine("- **ideal**: the cache's lower bound measured in the same process: one no-grad forward of all 2B texts plus the full step.");
        text.AppendLine("- **cache phases**: the `GradientCacheStepResult` times of the last measured cached step.");
        text.AppendLine("- Median of 3 measured runs after 1 warmup; each B in a fresh process. Peak RSS is the process's VmHWM after the cached runs, then after the full-batch runs.");
        text.AppendLine();
        text.Append(rows);
        text.AppendLine();
        text.AppendLine(missed.Count == 0
            ? $"Target cached/ideal <= 1.05: met at every B{(failed > 0 ? " that ran" : string.Empty)}."
            : $"Target cached/ideal <= 1.05: missed at {string.Join(", ", missed)}. The cache does the ideal's work in chunks of {config.Chunk}: compare its no-grad phase with the ideal's no-grad forward, and its forward+backward phase with the full step, to see which pass costs the difference.");
        report.Section("a) Gradient cache step time", text.ToString());
    }

    /// <summary>The child: measures one batch size and prints its result line.</summary>
    public static void Child(BenchmarkConfig config, int batch)
    {
        using var encoder = Workload.Transformer(config, config.StepLength);
        encoder.train();
        var parameters = encoder.parameters().ToArray();
        var loss = new InfoNceLoss(Temperature.Fixed(0.05));
        var queries = Workload.FixedLength(batch, config.StepLength, config.Vocabulary, seed: 10);
        var documents = Workload.FixedLength(batch, config.StepLength, config.Vocabulary, seed: 20);
        var cache = new GradientCache(encoder, null, loss, new GradientCacheOptions { ChunkSize = config.Chunk, ReplaySeed = 0 });
        const int warmup = 1, repeats = 3;

        long step = 0;
        GradientCacheStepResult? last = null;
        var cached = Measure.MedianSeconds(() => { Workload.ZeroGradients(parameters); last = cache.Step(queries, documents, 0, step: step++); }, warmup, repeats);
        var rssCached = Measure.PeakRssBytes();

        var noGrad = Measure.MedianSeconds(() => NoGradForward(encoder, queries, documents), warmup, repeats);
        var full = Measure.MedianSeconds(() => { Workload.ZeroGradients(parameters); FullBatchStep(encoder, loss, queries, documents); }, warmup, repeats);
        var rssFull = Measure.PeakRssBytes();

        ChildResult.Print(("cached", cached), ("nograd", noGrad), ("full", full), ("rssCached", rssCached), ("rssFull", rssFull),
            ("phase1", last!.ForwardNoGradTime.TotalSeconds), ("phase2", last.BuildCacheTime.TotalSeconds), ("phase3", last.ForwardBackwardTime.TotalSeconds));
    }

    private static void NoGradForward(Encoders.TextEncoder encoder, int[][] queries, int[][] documents)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var q = TokenBatch.Collate(queries, 0);
        using var d = TokenBatch.Collate(documents, 0);
        encoder.call(q.InputIds, q.AttentionMask);
        encoder.call(d.InputIds, d.AttentionMask);
    }

    private static void FullBatchStep(Encoders.TextEncoder encoder, ContrastiveLoss loss, int[][] queries, int[][] documents)
    {
        using var scope = NewDisposeScope();
        using var q = TokenBatch.Collate(queries, 0);
        using var d = TokenBatch.Collate(documents, 0);
        loss.Forward(encoder.call(q.InputIds, q.AttentionMask), encoder.call(d.InputIds, d.AttentionMask), 0).backward();
    }
}
