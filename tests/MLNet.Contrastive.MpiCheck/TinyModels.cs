using MLNet.Contrastive.Encoders;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace MLNet.Contrastive.MpiCheck;

/// <summary>Tiny seeded Transformer encoders, texts and gradient helpers (the same on every rank).</summary>
internal static class TinyModels
{
    public const int Vocabulary = 40;

    public static TransformerEncoder Encoder(long seed, double dropout) => new(new TransformerShape
    {
        VocabularySize = Vocabulary,
        HiddenSize = 16,
        LayerCount = 1,
        HeadCount = 2,
        FeedForwardSize = 32,
        MaxLength = 16,
        Dropout = dropout,
        AttentionDropout = dropout,
        OutputDimension = 8,
        Seed = seed,
    });

    public static int[][] Texts(int count, int seed, int maxLength = 9)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => Enumerable.Range(0, random.Next(1, maxLength + 1)).Select(_ => random.Next(1, Vocabulary)).ToArray())
            .ToArray();
    }

    public static Tensor[] Gradients(IEnumerable<Parameter> parameters) =>
        parameters.Select(p => p.grad is { } g ? g.detach().clone() : zeros_like(p)).ToArray();

    public static void ZeroGradients(IEnumerable<Parameter> parameters)
    {
        foreach (var p in parameters)
        {
            p.grad?.zero_();
        }
    }

    /// <summary>max|actual - expected| / max|expected| over all tensors.</summary>
    public static double RelativeError(Tensor[] actual, Tensor[] expected)
    {
        double difference = 0, scale = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            difference = Math.Max(difference, (actual[i] - expected[i]).abs().max().item<float>());
            scale = Math.Max(scale, expected[i].abs().max().item<float>());
        }

        return difference / scale;
    }
}
