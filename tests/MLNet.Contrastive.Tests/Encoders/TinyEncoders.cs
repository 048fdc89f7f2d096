using MLNet.Contrastive.Encoders;

namespace MLNet.Contrastive.Tests.Encoders;

internal static class TinyEncoders
{
    internal static TransformerShape Transformer(PoolingMode pooling = PoolingMode.Mean) => new()
    {
        VocabularySize = 20, HiddenSize = 16, LayerCount = 2, HeadCount = 2, FeedForwardSize = 32, MaxLength = 64,
        Dropout = 0.1, AttentionDropout = 0.1, Pooling = pooling, Seed = 7,
    };

    internal static StaticShape Static() => new() { VocabularySize = 20, EmbeddingSize = 12, OutputDimension = 6, Seed = 3 };

    internal static float[] Row(TorchSharp.torch.Tensor t, long row) => t[row].data<float>().ToArray();

    internal static float MaxAbsDiff(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
}
