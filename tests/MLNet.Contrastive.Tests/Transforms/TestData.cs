using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Transforms;

/// <summary>A training row.</summary>
public sealed class PairRow
{
    public string? Anchor { get; set; }

    public string? Positive { get; set; }

    public string? Negative { get; set; }

    public int Id { get; set; }

    public bool Label { get; set; }
}

/// <summary>A row with only a text, for transform-time data.</summary>
public sealed class TextRow
{
    public string Anchor { get; set; } = string.Empty;
}

internal static class TestData
{
    // Two topics with disjoint vocabularies: texts of one topic share words, so their bag-of-words embeddings are
    // closer to each other than to the other topic's (the separable toy data of the pipeline tests).
    private static readonly string[] Pets = { "cat", "dog", "kitten", "puppy", "fur", "paw", "leash", "purr" };
    private static readonly string[] Markets = { "stock", "bond", "market", "price", "yield", "trader", "index", "dividend" };

    internal static List<PairRow> Rows(int count, int seed = 0)
    {
        var random = new Random(seed);
        var rows = new List<PairRow>(count);
        for (var i = 0; i < count; i++)
        {
            var pets = i % 2 == 0;
            var words = pets ? Pets : Markets;
            var other = pets ? Markets : Pets;
            rows.Add(new PairRow
            {
                Anchor = Sentence(words, random),
                Positive = Sentence(words, random),
                Negative = Sentence(other, random),
                Id = i,
                Label = pets,
            });
        }

        return rows;
    }

    internal static IDataView View(MLContext mlContext, IEnumerable<PairRow> rows) => mlContext.Data.LoadFromEnumerable(rows);

    /// <summary>The small Transformer these tests were written for (the options' defaults before they became the static CPU recipe).</summary>
    internal static ContrastiveEmbeddingOptions Options(int dimension = 16) => new()
    {
        AnchorColumnName = nameof(PairRow.Anchor),
        PositiveColumnName = nameof(PairRow.Positive),
        EncoderKind = EncoderKind.Transformer,
        EmbeddingDimension = dimension,
        BatchSize = 8,
        ChunkSize = 32,
        Epochs = 1,
        LearningRate = 5e-4,
    };

    internal static ContrastiveEmbeddingTransformer Fit(MLContext mlContext, IDataView data, int dimension = 16) =>
        mlContext.Transforms.ContrastiveEmbedding(Options(dimension)).Fit(data);

    internal static float[][] Vectors(IDataView view, string column = "Embedding") =>
        view.GetColumn<float[]>(column).ToArray();

    private static string Sentence(string[] words, Random random) =>
        string.Join(' ', Enumerable.Range(0, 4).Select(_ => words[random.Next(words.Length)]));

    /// <summary>
    /// Asserts that a row-by-row embedding equals the batched one to float32 rounding: a batch pads each text to the
    /// batch's longest and multiplies matrices of another shape; padding is masked to exact zeros, but the BLAS may
    /// sum in another order, so the last bits can differ (1e-5 is about 100 float32 ulps at the vectors' scale).
    /// </summary>
    internal static void AssertSameEmbedding(float[] expected, float[] actual, string message)
    {
        Assert.HasCount(expected.Length, actual, message);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.IsLessThanOrEqualTo(1e-5f, worst, $"{message}: max |difference| {worst}");
    }
}
