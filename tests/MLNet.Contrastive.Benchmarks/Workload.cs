using MLNet.Contrastive.Encoders;
using TorchSharp.Modules;

namespace MLNet.Contrastive.Benchmarks;

/// <summary>The encoders and synthetic token sequences the suites run on.</summary>
internal static class Workload
{
    /// <summary>The BERT-small-like encoder of <paramref name="config"/> (seeded), in training mode.</summary>
    public static global::MLNet.Contrastive.Encoders.TransformerEncoder Transformer(BenchmarkConfig config, int maxLength) => new(new TransformerShape
    {
        VocabularySize = config.Vocabulary, HiddenSize = config.Width, LayerCount = config.Layers, HeadCount = config.Heads,
        FeedForwardSize = config.FeedForward, MaxLength = maxLength, Dropout = config.Dropout, AttentionDropout = config.Dropout,
        Pooling = PoolingMode.Mean, Seed = 1,
    });

    /// <summary>A static encoder of the same width and vocabulary (seeded).</summary>
    public static StaticEncoder Static(BenchmarkConfig config) => new(new StaticShape
    {
        VocabularySize = config.Vocabulary, EmbeddingSize = config.Width, Seed = 1,
    });

    /// <summary><paramref name="count"/> texts of exactly <paramref name="length"/> ids in [1, vocabulary).</summary>
    public static int[][] FixedLength(int count, int length, int vocabulary, int seed) =>
        MixedLength(count, length, length, vocabulary, seed);

    /// <summary><paramref name="count"/> texts of a length uniform in [<paramref name="minLength"/>, <paramref name="maxLength"/>].</summary>
    public static int[][] MixedLength(int count, int minLength, int maxLength, int vocabulary, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => Enumerable.Range(0, random.Next(minLength, maxLength + 1)).Select(_ => random.Next(1, vocabulary)).ToArray())
            .ToArray();
    }

    /// <summary>Sets every parameter's gradient to zero (as an optimizer's zero_grad would).</summary>
    public static void ZeroGradients(IEnumerable<Parameter> parameters)
    {
        foreach (var p in parameters)
        {
            p.grad?.zero_();
        }
    }
}
