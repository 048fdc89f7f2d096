using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Tests.Transforms;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Integration;

/// <summary>
/// The parity checks shared by the MiniLM and arctic test classes. Tolerance: 1e-4 per component of unit vectors,
/// the bound; float32 libtorch and ONNX Runtime kernels sum in different orders, which measured here stays
/// near 1e-6 (the figures are printed and quoted in docs/pretrained.md).
/// </summary>
internal static class ParityChecks
{
    internal const float Tolerance = 1e-4f;

    internal static void RawEncoder(ParityFixture fixture)
    {
        var ours = fixture.Model.Encode(fixture.Sentences, batchSize: 16);
        var diff = ParityFixture.MaxAbsDiff(fixture.Reference, ours);
        Console.WriteLine($"{fixture.Name}: raw encoder vs ONNX Runtime on {fixture.Sentences.Length} texts: max |diff| {diff:E2}");
        Assert.IsLessThanOrEqualTo(Tolerance, diff);
    }

    /// <summary>
    /// Against the package's own SentenceEncoder (its tokenizer, batching, pooling and normalisation), on the texts its
    /// tokenizer splits as Hugging Face does: it maps accented letters, CJK and control characters differently.
    /// </summary>
    internal static void PackageEncoder(ParityFixture fixture, SentenceTransformers.ISentenceEncoder package, Func<string, long[]> packageIds)
    {
        var ours = fixture.Model.Tokenize(fixture.Sentences);
        var agreeing = Enumerable.Range(0, fixture.Sentences.Length)
            .Where(i => packageIds(fixture.Sentences[i]).Select(v => (int)v).SequenceEqual(ours[i]))
            .ToArray();
        var texts = agreeing.Select(i => fixture.Sentences[i]).ToArray();
        var diff = ParityFixture.MaxAbsDiff(package.Encode(texts, CancellationToken.None), fixture.Model.Encode(texts, batchSize: 16));
        Console.WriteLine($"{fixture.Name}: raw encoder vs the package's SentenceEncoder on the {agreeing.Length} texts it tokenizes alike: max |diff| {diff:E2}");
        Assert.IsGreaterThanOrEqualTo(60, agreeing.Length, "the package tokenizes most plain text as Hugging Face does");
        Assert.IsLessThanOrEqualTo(Tolerance, diff);
    }

    /// <summary>
    /// The ML.NET path: the estimator with Epochs = 0 on the model folder (pooling and normalisation from its
    /// sentence-transformers files), Transform, then Save and Load in a fresh process. A query column gets
    /// <paramref name="queryPrefix"/>; the document column embeds the same texts without it.
    /// </summary>
    internal static void MlNetPath(ParityFixture fixture, string folder, string? queryPrefix)
    {
        var mlContext = new MLContext(seed: 1);
        var training = mlContext.Data.LoadFromEnumerable(
            fixture.Sentences.Where(s => !string.IsNullOrWhiteSpace(s)).Take(8).Select(s => new Pair { Text = s, Positive = s }));
        var options = new ContrastiveEmbeddingOptions
        {
            AnchorColumnName = nameof(Pair.Text), PositiveColumnName = nameof(Pair.Positive), PretrainedModelPath = folder, Epochs = 0,
            Device = DeviceKind.Cpu, QueryPrefix = queryPrefix,

            // One text column embedded twice: as a query (with the prefix) and as a document (without).
            Columns = [new InputOutputColumnPair("Query", nameof(Pair.Text)), new InputOutputColumnPair("Document", nameof(Pair.Text))],
            QueryColumnNames = ["Query"],
        };
        using var transformer = mlContext.Transforms.ContrastiveEmbedding(options).Fit(training);
        Assert.AreEqual(384, transformer.Dimension, "no projection on a pretrained model");

        var data = mlContext.Data.LoadFromEnumerable(fixture.Sentences.Select(s => new Pair { Text = s }));
        var transformed = transformer.Transform(data);
        var documents = transformed.GetColumn<float[]>("Document").ToArray();
        var documentDiff = ParityFixture.MaxAbsDiff(fixture.Reference, documents);
        var queries = transformed.GetColumn<float[]>("Query").ToArray();
        var expectedQueries = queryPrefix is null
            ? fixture.Reference
            : fixture.Sentences.Select(s => fixture.ReferenceVector(fixture.Model.Tokenize([queryPrefix + s])[0])).ToArray();
        var queryDiff = ParityFixture.MaxAbsDiff(expectedQueries, queries);
        Console.WriteLine($"{fixture.Name}: ML.NET transform (Epochs = 0) vs reference: documents {documentDiff:E2}, queries {queryDiff:E2}");
        Assert.IsLessThanOrEqualTo(Tolerance, documentDiff);
        Assert.IsLessThanOrEqualTo(Tolerance, queryDiff);
        if (queryPrefix is not null)
        {
            Assert.IsGreaterThan(1e-2f, ParityFixture.MaxAbsDiff(documents, queries), "the query prefix changes the query vectors");
        }

        // Fresh process: the texts go through a TSV file, so only those without tabs, line breaks or blank lines.
        var directory = Directory.CreateTempSubdirectory("parity-").FullName;
        try
        {
            var modelPath = Path.Combine(directory, "model.zip");
            mlContext.Model.Save(transformer, data.Schema, modelPath);
            var kept = Enumerable.Range(0, fixture.Sentences.Length)
                .Where(i => !string.IsNullOrWhiteSpace(fixture.Sentences[i]) && fixture.Sentences[i].IndexOfAny(['\t', '\n', '\r', '"']) < 0)
                .ToArray();
            var textsPath = Path.Combine(directory, "texts.tsv");
            File.WriteAllLines(textsPath, kept.Select(i => fixture.Sentences[i]));
            var resultPath = Path.Combine(directory, "result.txt");
            PersistenceTests.RunLoadCheck(modelPath, textsPath, nameof(Pair.Text), "Query", resultPath);
            var loaded = File.ReadAllLines(resultPath).Select(FromBits).ToArray();

            // Not bit-identical: the fresh process sees fewer texts, so batches are padded to other lengths and
            // libtorch's kernels sum in another order; the difference stays at float32 rounding.
            var freshDiff = ParityFixture.MaxAbsDiff(kept.Select(i => expectedQueries[i]).ToArray(), loaded);
            Console.WriteLine($"{fixture.Name}: fresh-process load on {kept.Length} texts vs reference: max |diff| {freshDiff:E2}");
            Assert.IsLessThanOrEqualTo(Tolerance, freshDiff);
            Assert.IsLessThanOrEqualTo(1e-5f, ParityFixture.MaxAbsDiff(kept.Select(i => queries[i]).ToArray(), loaded), "same model before and after Save/Load");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static float[] FromBits(string line) =>
        line.Split(' ').Select(h => BitConverter.Int32BitsToSingle(int.Parse(h, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture))).ToArray();

    internal sealed class Pair
    {
        public string Text { get; set; } = string.Empty;

        public string Positive { get; set; } = string.Empty;
    }
}
