using System.Globalization;
using System.Text;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Text;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Benchmarks;

/// <summary>
/// Suite c: texts per second of batched no-grad inference (eval mode, as <see cref="EmbeddingModel.Encode"/> does it) for
/// the transformer and the static encoder, at two batch sizes, with padding to the maximum length against dynamic padding.
/// </summary>
internal static class EncodeThroughputSuite
{
    private enum Padding
    {
        ToMaximum,
        DynamicInputOrder,
        DynamicSortedByLength,
    }

    public static void Run(Report report, BenchmarkConfig config)
    {
        var rows = new StringBuilder();
        rows.AppendLine("| encoder | batch | padded to " + config.MaxTextLength + " texts/s | dynamic, input order texts/s | dynamic, sorted by length texts/s | sorted dynamic / padded |");
        rows.AppendLine("|---|---:|---:|---:|---:|---:|");
        using (var transformer = Workload.Transformer(config, config.MaxTextLength))
        {
            var texts = Workload.MixedLength(config.TransformerTexts, config.MinTextLength, config.MaxTextLength, config.Vocabulary, seed: 30);
            AddRows(rows, "transformer", transformer, texts, config, repeats: 3);
        }

        using (var staticEncoder = Workload.Static(config))
        {
            var texts = Workload.MixedLength(config.StaticTexts, config.MinTextLength, config.MaxTextLength, config.Vocabulary, seed: 40);
            AddRows(rows, "static", staticEncoder, texts, config, repeats: 3);
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Configuration: transformer = {config.EncoderDescription}, position table {config.MaxTextLength}; static = StaticEncoder width {config.Width}, vocabulary {config.Vocabulary}. Texts: synthetic token ids, length uniform in [{config.MinTextLength}, {config.MaxTextLength}]; {config.TransformerTexts} texts (transformer) and {config.StaticTexts} (static).");
        text.AppendLine();
        text.AppendLine("Each pass: eval mode, `no_grad`, per batch `TokenBatch.Collate` (padded to the maximum with `padTo`, or to the batch's longest text), the encoder, and the vectors copied to `float[]` rows — what `EmbeddingModel.Encode` does after tokenization (tokenization is not timed). \"Sorted by length\" batches texts in length order, as `EmbeddingModel.Encode` does. Median of 3 passes over all texts after 1 warmup pass.");
        text.AppendLine();
        text.Append(rows);
        report.Section("c) Encode throughput", text.ToString());
    }

    private static void AddRows(StringBuilder rows, string name, TextEncoder encoder, int[][] texts, BenchmarkConfig config, int repeats)
    {
        encoder.eval();
        foreach (var batch in config.EncodeBatches)
        {
            Console.WriteLine($"[c] {name}, batch {batch} ...");
            var rates = Enum.GetValues<Padding>()
                .ToDictionary(p => p, p => texts.Length / Measure.MedianSeconds(() => EncodeAll(encoder, texts, batch, p, config.MaxTextLength), 1, repeats));
            rows.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {batch} | {rates[Padding.ToMaximum]:0} | {rates[Padding.DynamicInputOrder]:0} | {rates[Padding.DynamicSortedByLength]:0} | {rates[Padding.DynamicSortedByLength] / rates[Padding.ToMaximum]:0.00} |"));
        }
    }

    private static float[][] EncodeAll(TextEncoder encoder, int[][] texts, int batch, Padding padding, int maxLength)
    {
        var order = Enumerable.Range(0, texts.Length).ToArray();
        if (padding == Padding.DynamicSortedByLength)
        {
            order = order.OrderBy(i => texts[i].Length).ToArray();
        }

        var result = new float[texts.Length][];
        using var noGrad = no_grad();
        for (var start = 0; start < order.Length; start += batch)
        {
            using var scope = NewDisposeScope();
            var indices = order.AsSpan(start, Math.Min(batch, order.Length - start)).ToArray();
            using var tokens = TokenBatch.Collate(Array.ConvertAll(indices, i => texts[i]), 0, padTo: padding == Padding.ToMaximum ? maxLength : null);
            var flat = encoder.call(tokens.InputIds, tokens.AttentionMask).cpu().data<float>().ToArray();
            for (var row = 0; row < indices.Length; row++)
            {
                result[indices[row]] = flat.AsSpan(row * encoder.Dimension, encoder.Dimension).ToArray();
            }
        }

        return result;
    }
}
