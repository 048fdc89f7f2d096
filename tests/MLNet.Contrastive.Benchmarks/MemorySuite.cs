using System.Diagnostics;
using System.Globalization;
using System.Text;
using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Training;

namespace MLNet.Contrastive.Benchmarks;

/// <summary>Suite b: peak resident memory of one cached training step as the batch grows, each batch in a fresh process.</summary>
internal static class MemorySuite
{
    public const string ChildName = "memory";

    public static void Run(Report report, BenchmarkConfig config)
    {
        var rows = new StringBuilder();
        rows.AppendLine("| B | peak RSS GB | ratio to B=" + config.MemoryBatches[0] + " | RSS before the step GB | step s |");
        rows.AppendLine("|---:|---:|---:|---:|---:|");
        double? baseline = null, lastRatio = null;
        foreach (var batch in config.MemoryBatches)
        {
            Console.WriteLine($"[b] B={batch} ...");
            var r = ChildResult.TryRun(Program.ChildArguments(config, ChildName, batch), out var failure);
            if (r is null)
            {
                rows.AppendLine(CultureInfo.InvariantCulture, $"| {batch} | {failure} (exit 137 is a kill, usually out of memory) ||||");
                lastRatio = null;
                continue;
            }

            if (batch == config.MemoryBatches[0])
            {
                baseline = r["peak"];
            }

            lastRatio = r["peak"] / baseline;
            rows.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {batch} | {Measure.Gb((long)r["peak"])} | {lastRatio:0.000} | {Measure.Gb((long)r["before"])} | {r["seconds"]:0.00} |"));
        }

        var first = config.MemoryBatches[0];
        var largest = config.MemoryBatches[^1];
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Configuration: {config.EncoderDescription}; shared encoder, training mode; B queries and B positives (k = 0), every text exactly {config.MemoryLength} synthetic token ids; InfoNCE, fixed temperature 0.05; chunk {config.Chunk} per side.");
        text.AppendLine();
        text.AppendLine("Each B runs in a fresh process that builds the encoder and the texts, runs a warmup step on 2 pairs (loads kernels, allocates the gradients), then one `GradientCache.Step` on the batch (no optimizer). Peak RSS is the process's VmHWM after the step (.NET runtime and libtorch included); \"before\" is VmRSS just before the measured step. Step seconds are of that single step.");
        text.AppendLine();
        text.Append(rows);
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Target peak(B={largest}) <= 1.15 x peak(B={first}): {(lastRatio is null ? "not measured (a run failed, see the table)" : lastRatio <= 1.15 ? "met" : "missed")} ({lastRatio:0.000})."));
        report.Section("b) Peak memory of a cached step", text.ToString());
    }

    /// <summary>The child: one cached step at one batch size; prints its memory and time.</summary>
    public static void Child(BenchmarkConfig config, int batch)
    {
        using var encoder = Workload.Transformer(config, config.MemoryLength);
        encoder.train();
        var loss = new InfoNceLoss(Temperature.Fixed(0.05));
        var queries = Workload.FixedLength(batch, config.MemoryLength, config.Vocabulary, seed: 10);
        var documents = Workload.FixedLength(batch, config.MemoryLength, config.Vocabulary, seed: 20);
        var cache = new GradientCache(encoder, null, loss, new GradientCacheOptions { QueryChunkSize = config.Chunk, DocumentChunkSize = config.Chunk, ReplaySeed = 0 });

        // A warmup step on 2 pairs loads libtorch's kernels and allocates the parameters' gradients (memory every
        // training run holds), so the measured step is warm; its own peak is far below the measured step's.
        cache.Step(queries[..2], documents[..2], 0, step: -1);
        var before = Measure.RssBytes();
        var watch = Stopwatch.StartNew();
        cache.Step(queries, documents, 0);
        var seconds = watch.Elapsed.TotalSeconds;
        ChildResult.Print(("peak", Measure.PeakRssBytes()), ("before", before), ("seconds", seconds));
    }
}
