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

    // glibc raises its mmap threshold each time a large mmapped block is freed, so later activations of a chunk come
    // from the heap, which fragments and keeps growing chunk after chunk. A fixed threshold (128 KiB, glibc's initial
    // value) keeps every large block mmapped and returned on free. Measured both ways to tell the two effects apart.
    private static readonly Dictionary<string, string?> FixedMmapThreshold = new() { ["MALLOC_MMAP_THRESHOLD_"] = "131072" };

    public static void Run(Report report, BenchmarkConfig config)
    {
        var first = config.MemoryBatches[0];
        var largest = config.MemoryBatches[^1];
        var rows = new StringBuilder();
        rows.AppendLine($"| B | peak RSS GB | ratio to B={first} | step s | peak RSS GB, fixed mmap threshold | ratio to B={first} | step s | RSS before the step GB |");
        rows.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        double? baseline = null, fixedBaseline = null, ratio = null, fixedRatio = null;
        foreach (var batch in config.MemoryBatches)
        {
            Console.WriteLine($"[b] B={batch} ...");
            var r = ChildResult.TryRun(Program.ChildArguments(config, ChildName, batch), out var failure);
            var f = ChildResult.TryRun(Program.ChildArguments(config, ChildName, batch), out var fixedFailure, FixedMmapThreshold);
            if (batch == first)
            {
                baseline = r?["peak"];
                fixedBaseline = f?["peak"];
            }

            ratio = r?["peak"] / baseline;
            fixedRatio = f?["peak"] / fixedBaseline;
            var before = (r ?? f) is { } any ? Measure.Gb((long)any["before"]) : "-";
            rows.AppendLine(CultureInfo.InvariantCulture, $"| {batch} | {Cells(r, ratio, failure)} | {Cells(f, fixedRatio, fixedFailure)} | {before} |");
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Configuration: {config.EncoderDescription}; shared encoder, training mode; B queries and B positives (k = 0), every text exactly {config.MemoryLength} synthetic token ids; InfoNCE, fixed temperature 0.05, loss rows in blocks of 256 (as `ContrastiveEmbedding` trains); chunk {config.Chunk} per side.");
        text.AppendLine();
        text.AppendLine("Each B runs in a fresh process that builds the encoder and the texts, runs a warmup step on 2 pairs (loads kernels, allocates the gradients), then one `GradientCache.Step` on the batch (no optimizer). Peak RSS is the process's VmHWM after the step (.NET runtime and libtorch included); \"before\" is VmRSS just before the measured step. Step seconds are of that single step.");
        text.AppendLine();
        text.AppendLine("Each B runs twice: with glibc's default allocator settings (what users get), and with `MALLOC_MMAP_THRESHOLD_=131072`, which stops glibc from raising its mmap threshold after large frees; then large activation blocks are always mmapped and returned to the system when freed instead of fragmenting the heap. The difference between the two columns is allocator retention, not tensors kept alive.");
        text.AppendLine();
        text.Append(rows);
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Target peak(B={largest}) <= 1.15 x peak(B={first}), default allocator: {Verdict(ratio)}; with the fixed mmap threshold: {Verdict(fixedRatio)}."));
        report.Section("b) Peak memory of a cached step", text.ToString());
    }

    private static string Cells(Dictionary<string, double>? r, double? ratio, string failure) => r is null
        ? $"{failure} (exit 137 is a kill, usually out of memory) | |"
        : string.Create(CultureInfo.InvariantCulture, $"{Measure.Gb((long)r["peak"])} | {ratio:0.000} | {r["seconds"]:0.00}");

    private static string Verdict(double? ratio) => ratio is { } value
        ? string.Create(CultureInfo.InvariantCulture, $"{(value <= 1.15 ? "met" : "missed")} ({value:0.000})")
        : "not measured (a run failed, see the table)";

    /// <summary>The child: one cached step at one batch size; prints its memory and time.</summary>
    public static void Child(BenchmarkConfig config, int batch)
    {
        using var encoder = Workload.Transformer(config, config.MemoryLength);
        encoder.train();
        var loss = new InfoNceLoss(Temperature.Fixed(0.05)) { RowChunkSize = 256 }; // as ContrastiveEmbedding trains
        var queries = Workload.FixedLength(batch, config.MemoryLength, config.Vocabulary, seed: 10);
        var documents = Workload.FixedLength(batch, config.MemoryLength, config.Vocabulary, seed: 20);
        var cache = new GradientCache(encoder, null, loss, new GradientCacheOptions { ChunkSize = config.Chunk, ReplaySeed = 0 });

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
