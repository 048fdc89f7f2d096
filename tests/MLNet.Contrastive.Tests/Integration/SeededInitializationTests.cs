using MLNet.Contrastive.Encoders;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Integration;

/// <summary>
/// A seed in the encoder options must fix the initial weights whatever the global generator did before (the end-to-end
/// tests and users' reproducibility rely on it). Found while writing those tests: TorchSharp 0.107's
/// <c>nn.init.normal_(tensor, mean, std, generator)</c> ignores its generator.
/// </summary>
[TestClass]
public sealed class SeededInitializationTests
{
    [TestMethod]
    public void Create_WithTheSameSeed_GivesBitIdenticalWeights_WhateverTheGlobalGenerator()
    {
        float[] Weights(nn.Module module) => module.parameters().SelectMany(p => p.detach().data<float>().ToArray()).ToArray();

        manual_seed(1);
        using var staticA = new StaticEncoder(new StaticShape { VocabularySize = 30, EmbeddingSize = 8, OutputDimension = 4, Seed = 9 });
        using var transformerA = new TransformerEncoder(new TransformerShape { VocabularySize = 30, HiddenSize = 8, LayerCount = 1, HeadCount = 2, FeedForwardSize = 16, MaxLength = 8, Seed = 9 });
        manual_seed(2);
        using var staticB = new StaticEncoder(new StaticShape { VocabularySize = 30, EmbeddingSize = 8, OutputDimension = 4, Seed = 9 });
        using var transformerB = new TransformerEncoder(new TransformerShape { VocabularySize = 30, HiddenSize = 8, LayerCount = 1, HeadCount = 2, FeedForwardSize = 16, MaxLength = 8, Seed = 9 });
        using var staticOther = new StaticEncoder(new StaticShape { VocabularySize = 30, EmbeddingSize = 8, OutputDimension = 4, Seed = 10 });

        CollectionAssert.AreEqual(Weights(staticA), Weights(staticB), "static encoder, seed 9 twice");
        CollectionAssert.AreEqual(Weights(transformerA), Weights(transformerB), "transformer encoder, seed 9 twice");
        CollectionAssert.AreNotEqual(Weights(staticA), Weights(staticOther), "seeds 9 and 10 must differ");
    }
}
