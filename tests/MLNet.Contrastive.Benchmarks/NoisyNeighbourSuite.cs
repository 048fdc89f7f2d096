using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Training;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Benchmarks;

/// <summary>
/// Suite g: the noisy neighbour. Step time of the benchmark encoder and Transform rows/s with each OpenMP setting, on
/// cores to themselves and with one CPU-bound busy loop per core competing, each setting in a fresh child process
/// (libgomp reads its variables once, when it loads).
/// </summary>
internal static class NoisyNeighbourSuite
{
    public const string ChildName = "neighbour";
    public const string BurnName = "burn";

    // Each child starts from the parent's environment minus these, then gets the setting's own values.
    private static readonly string[] OpenMpVariables = ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS"];

    private static readonly (string Name, Dictionary<string, string?> Environment)[] Settings =
    [
        // libgomp's own default when no policy is set: spin 300,000 iterations before sleeping. Setting
        // GOMP_SPINCOUNT makes the library leave the setting alone, so this is exactly what users got before.
        ("libgomp default (spin 300,000): before", new() { ["GOMP_SPINCOUNT"] = "300000" }),
        ("`GOMP_SPINCOUNT=10000`: the library's default now", new()),
        ("`OMP_WAIT_POLICY=PASSIVE` (no spin)", new() { ["OMP_WAIT_POLICY"] = "PASSIVE" }),
        ("`OMP_NUM_THREADS=1`", new() { ["OMP_NUM_THREADS"] = "1" }),
    ];

    public static void Run(Report report, BenchmarkConfig config)
    {
        var batch = config.StepBatches[0];
        var burners = Environment.ProcessorCount;
        var results = new Dictionary<(int Setting, bool Busy), Dictionary<string, double>?>();
        var failures = new Dictionary<(int Setting, bool Busy), string>();
        foreach (var busy in new[] { false, true })
        {
            using var neighbours = busy ? BusyLoops.Start(burners) : null;
            for (var s = 0; s < Settings.Length; s++)
            {
                Console.WriteLine($"[g] {Settings[s].Name}, {(busy ? "busy" : "idle")} ...");
                var environment = OpenMpVariables.ToDictionary(v => v, _ => (string?)null);
                foreach (var (name, value) in Settings[s].Environment)
                {
                    environment[name] = value;
                }

                results[(s, busy)] = ChildResult.TryRun(Program.ChildArguments(config, ChildName, batch), out var failure, environment);
                failures[(s, busy)] = failure;
            }
        }

        var rows = new StringBuilder();
        rows.AppendLine("| setting | threads | step s idle | step s busy | busy/idle | CPU s per step, busy | Transformer rows/s idle | busy | static rows/s idle | busy |");
        rows.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (var s = 0; s < Settings.Length; s++)
        {
            var idle = results[(s, false)];
            var busy = results[(s, true)];
            if (idle is null || busy is null)
            {
                rows.AppendLine(CultureInfo.InvariantCulture, $"| {Settings[s].Name} | {failures[(s, false)]} {failures[(s, true)]} |||||||||");
                continue;
            }

            rows.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Settings[s].Name} | {idle["threads"]:0} | {idle["step"]:0.000} | {busy["step"]:0.000} | {busy["step"] / idle["step"]:0.00} | {busy["stepCpu"]:0.000} | {idle["transformer"]:0} | {busy["transformer"]:0} | {idle["static"]:0} | {busy["static"]:0} |"));
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Configuration: step = one `GradientCache.Step` of the benchmark encoder ({config.EncoderDescription}), B = {batch} queries and {batch} positives of exactly {config.StepLength} tokens, chunk {config.Chunk}, no optimizer; Transformer rows/s = `ContrastiveEmbeddingTransformer.Transform` (untrained, `Epochs = 0`) of the same encoder size over {TransformerTexts(config)} synthetic sentences (cl100k, at most {config.MaxTextLength} tokens), consumed through a cursor; static rows/s = the same with the default static encoder (width 128) over {StaticTexts(config)} sentences. Median of 3 after 1 warmup, each setting in a fresh process.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"**busy**: {burners} single-threaded busy-loop processes (one per core, this program's `--child burn`) run on the same cores during the measurement; the measured process then gets about {1.0 * Environment.ProcessorCount / (Environment.ProcessorCount + burners):0.00} of the cores, so a process that wastes nothing takes about {(Environment.ProcessorCount + burners) / (double)Environment.ProcessorCount:0.0}x its idle time. **CPU s per step** is the process's user+system CPU time per measured step under contention: spinning threads burn CPU without doing work. **idle** means no busy loop of ours; other jobs on a shared machine may still run.");
        text.AppendLine();
        text.Append(rows);
        report.Section("g) The noisy neighbour: OpenMP wait policy and threads", text.ToString());
    }

    private static int TransformerTexts(BenchmarkConfig config) => config.Quick ? 64 : 256;

    private static int StaticTexts(BenchmarkConfig config) => config.Quick ? 256 : 2048;

    /// <summary>The child: step time and Transform rows/s under the OpenMP setting of its environment.</summary>
    public static void Child(BenchmarkConfig config, int batch)
    {
        var (step, stepCpu) = StepSeconds(config, batch);
        var transformer = TransformRowsPerSecond(config, EncoderKind.Transformer, TransformerTexts(config));
        var staticRows = TransformRowsPerSecond(config, EncoderKind.Static, StaticTexts(config));
        ChildResult.Print(("threads", TorchRuntime.IntraOpThreads), ("step", step), ("stepCpu", stepCpu), ("transformer", transformer), ("static", staticRows));
    }

    private static (double Wall, double Cpu) StepSeconds(BenchmarkConfig config, int batch)
    {
        using var encoder = Workload.Transformer(config, config.StepLength);
        encoder.train();
        var parameters = encoder.parameters().ToArray();
        var loss = new InfoNceLoss(Temperature.Fixed(0.05));
        var queries = Workload.FixedLength(batch, config.StepLength, config.Vocabulary, seed: 10);
        var documents = Workload.FixedLength(batch, config.StepLength, config.Vocabulary, seed: 20);
        var cache = new GradientCache(encoder, null, loss, new GradientCacheOptions { ChunkSize = config.Chunk, ReplaySeed = 0 });
        long step = 0;
        const int repeats = 3;
        var wall = 0.0;
        var cpu = CpuSeconds(() => wall = Measure.MedianSeconds(() => { Workload.ZeroGradients(parameters); cache.Step(queries, documents, 0, step: step++); }, 1, repeats));
        return (wall, cpu / (repeats + 1));
    }

    private static double TransformRowsPerSecond(BenchmarkConfig config, EncoderKind kind, int count)
    {
        var texts = TransformThroughputSuite.Sentences(count, seed: 50);
        var mlContext = new MLContext(seed: 1);
        var rows = texts.Select((t, i) => new TransformThroughputSuite.TextRow { Text = t, Positive = texts[(i + 1) % count] }).ToArray();
        var data = mlContext.Data.LoadFromEnumerable(rows);
        var options = new ContrastiveEmbeddingOptions
        {
            AnchorColumnName = nameof(TransformThroughputSuite.TextRow.Text), PositiveColumnName = nameof(TransformThroughputSuite.TextRow.Positive),
            EncoderKind = kind, MaxTokens = config.MaxTextLength, Epochs = 0,
        };
        if (kind == EncoderKind.Transformer)
        {
            options.Width = config.Width;
            options.EmbeddingDimension = config.Width;
            options.Layers = config.Layers;
            options.Heads = config.Heads;
            options.FeedForwardWidth = config.FeedForward;
        }

        using var transformer = mlContext.Transforms.ContrastiveEmbedding(options).Fit(data);
        return count / Measure.MedianSeconds(() => TransformThroughputSuite.Consume(transformer.Transform(data)), 1, 3);
    }

    private static double CpuSeconds(Action action)
    {
        using var self = Process.GetCurrentProcess();
        var before = self.TotalProcessorTime;
        action();
        self.Refresh();
        return (self.TotalProcessorTime - before).TotalSeconds;
    }

    /// <summary>The <c>--child burn</c> process: one thread of pure arithmetic until it is killed.</summary>
    public static void Burn()
    {
        var x = 1.0;
        while (true)
        {
            x = (x * 1.0000001) + 1e-9;
            if (x > 1e300)
            {
                x = 1.0;
            }
        }
    }
}
