using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Benchmarks;

/// <summary>
/// Suite d: rows per second of the ML.NET transform (<c>ContrastiveEmbeddingTransformer.Transform</c> consumed through a
/// cursor) against the raw batched model (<c>EmbeddingModel.Encode</c>) of the same transformer, on the same texts.
/// </summary>
internal static class TransformThroughputSuite
{
    private const int Batch = 64;

    internal sealed class TextRow
    {
        public string Text { get; set; } = string.Empty;

        public string Positive { get; set; } = string.Empty;
    }

    public static void Run(Report report, BenchmarkConfig config)
    {
        var count = config.Quick ? 128 : 2048;
        var texts = Sentences(count, seed: 50);
        var rows = new StringBuilder();
        rows.AppendLine("| encoder | raw `EmbeddingModel.Encode` rows/s | ML.NET `Transform` rows/s | Transform / raw (target >= 0.9) |");
        rows.AppendLine("|---|---:|---:|---:|");
        foreach (var kind in new[] { EncoderKind.Static, EncoderKind.Transformer })
        {
            Console.WriteLine($"[d] {kind} ...");
            var mlContext = new MLContext(seed: 1);
            var training = mlContext.Data.LoadFromEnumerable(texts.Take(64).Select((t, i) => new TextRow { Text = t, Positive = texts[(i + 1) % 64] }));
            using var transformer = mlContext.Transforms.ContrastiveEmbedding(new ContrastiveEmbeddingOptions
            {
                AnchorColumnName = nameof(TextRow.Text), PositiveColumnName = nameof(TextRow.Positive),
                EncoderKind = kind, Width = config.Width, Layers = config.Layers, Heads = config.Heads, FeedForwardWidth = config.FeedForward,
                EmbeddingDimension = config.Width, MaxTokens = config.MaxTextLength, Epochs = 1, BatchSize = 32, ChunkSize = 32,
            }).Fit(training);
            var data = mlContext.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t, Positive = t }));
            var raw = count / Measure.MedianSeconds(() => transformer.Model.Encode(texts, Batch), 1, 3);
            var viaMlNet = count / Measure.MedianSeconds(() => Consume(transformer.Transform(data)), 1, 3);
            rows.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {kind} | {raw:0} | {viaMlNet:0} | {viaMlNet / raw:0.00} |"));
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Configuration: {count} synthetic English-like sentences of 4 to 60 words (cl100k tokens, at most {config.MaxTextLength}); transformer = {config.EncoderDescription}; static = StaticEncoder width {config.Width}. Each side tokenizes, sorts by length and encodes {Batch} texts per forward pass (`EmbeddingModel.Encode` over all texts; the transform over each block of 1024 rows it reads ahead); the ML.NET side also reads the texts through an `IDataView` cursor and copies each vector into a `VBuffer<float>`. Median of 3 passes after 1 warmup.");
        text.AppendLine();
        text.Append(rows);
        report.Section("d) ML.NET Transform vs raw encoder", text.ToString());
    }

    internal static int Consume(IDataView view)
    {
        var column = view.Schema["Embedding"];
        using var cursor = view.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var vector = default(VBuffer<float>);
        var rows = 0;
        while (cursor.MoveNext())
        {
            getter(ref vector);
            rows++;
        }

        return rows;
    }

    internal static string[] Sentences(int count, int seed)
    {
        string[] words = ["the", "a", "model", "learns", "text", "vector", "search", "query", "document", "fast", "slow", "memory", "batch", "chunk", "gradient", "cache", "encoder", "token", "cluster", "similar", "different", "question", "answer", "data", "view", "column", "train", "loss", "weights", "layer"];
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(4, 61)).Select(_ => words[random.Next(words.Length)])))
            .ToArray();
    }
}
