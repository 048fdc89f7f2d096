using MLNet.Contrastive.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Training;

/// <summary>Seeded random token sequences and gradient helpers shared by the training tests.</summary>
internal static class TestData
{
    public static int[][] Texts(int count, int seed, int vocabulary = 32, int maxLength = 9)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => Enumerable.Range(0, random.Next(1, maxLength + 1)).Select(_ => random.Next(1, vocabulary)).ToArray())
            .ToArray();
    }

    /// <summary>Encodes all texts in one padded batch: the plain full-batch forward.</summary>
    public static Tensor EncodeAll(nn.Module<Tensor, Tensor, Tensor> encoder, IReadOnlyList<int[]> texts)
    {
        using var batch = TokenBatch.Collate(texts, 0);
        return encoder.call(batch.InputIds, batch.AttentionMask);
    }

    /// <summary>Copies the gradients of <paramref name="parameters"/> (zeros where none).</summary>
    public static Tensor[] Gradients(IEnumerable<Parameter> parameters) =>
        parameters.Select(p => p.grad is { } g ? g.detach().clone() : zeros_like(p)).ToArray();

    public static void ZeroGradients(IEnumerable<Parameter> parameters)
    {
        foreach (var p in parameters)
        {
            if (p.grad is { } g)
            {
                g.zero_();
            }
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
