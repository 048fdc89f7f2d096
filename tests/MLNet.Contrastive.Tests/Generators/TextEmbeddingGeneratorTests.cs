using Microsoft.Extensions.AI;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Generators;

namespace MLNet.Contrastive.Tests.Generators;

/// <summary>The generator over a bare <see cref="EmbeddingModel"/>.</summary>
[TestClass]
public sealed class TextEmbeddingGeneratorTests
{
    private static readonly string[] Training = ["the quick brown fox", "jumps over the lazy dog", "hello world", "a lazy afternoon"];
    private static readonly string[] Texts = ["the lazy fox", "unseen zebra words", string.Empty, "hello world", "quick dog jumps over the brown fox"];

    private static EmbeddingModel Model(EncoderKind kind) => EmbeddingModel.Create(
        new EncoderSpec
        {
            EncoderKind = kind, Width = 16, Layers = 1, Heads = 2, FeedForwardWidth = 32, MaxTokens = 16,
            EmbeddingDimension = 8, Device = DeviceKind.Cpu, Seed = 11,
        },
        Training);

    [TestMethod]
    [DataRow(EncoderKind.Transformer)]
    [DataRow(EncoderKind.Static)]
    public async Task GenerateAsync_Texts_EqualModelEncodeBitForBit(EncoderKind kind)
    {
        using var model = Model(kind);
        var expected = model.Encode(Texts, batchSize: 2);
        using var generator = new TextEmbeddingGenerator(model, batchSize: 2);

        var embeddings = await generator.GenerateAsync(Texts);

        Assert.HasCount(Texts.Length, embeddings);
        for (var i = 0; i < Texts.Length; i++)
        {
            CollectionAssert.AreEqual(expected[i], embeddings[i].Vector.ToArray(), $"text {i}");
            Assert.AreEqual($"contrastive-{kind.ToString().ToLowerInvariant()}-8", embeddings[i].ModelId);
        }

        Assert.AreEqual(model.Tokenize(Texts).Sum(s => (long)s.Length), embeddings.Usage!.InputTokenCount);
    }

    [TestMethod]
    public void Metadata_DefaultAndGivenModelId_NameProviderModelAndDimension()
    {
        using var model = Model(EncoderKind.Static);
        using var byDefault = new TextEmbeddingGenerator(model);
        using var named = new TextEmbeddingGenerator(model, modelId: "my-search-model");

        var metadata = byDefault.GetService<EmbeddingGeneratorMetadata>()!;
        Assert.AreEqual("MLNet.Contrastive", metadata.ProviderName);
        Assert.AreEqual("contrastive-static-8", metadata.DefaultModelId);
        Assert.AreEqual(8, metadata.DefaultModelDimensions);
        Assert.AreEqual("my-search-model", named.Metadata.DefaultModelId);
        Assert.AreSame(model, byDefault.GetService<EmbeddingModel>());
        Assert.AreSame(byDefault, byDefault.GetService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.IsNull(byDefault.GetService<EmbeddingModel>(serviceKey: "other"));
        Assert.IsNull(byDefault.GetService<string>());
    }

    [TestMethod]
    public async Task GenerateAsync_Empty_ReturnsNoEmbeddings()
    {
        using var model = Model(EncoderKind.Static);
        using var generator = new TextEmbeddingGenerator(model);
        var embeddings = await generator.GenerateAsync([]);
        Assert.IsEmpty(embeddings);
        Assert.AreEqual(0L, embeddings.Usage!.InputTokenCount);
    }

    [TestMethod]
    public void GenerateAsync_BadInput_ThrowsNamingTheProblem()
    {
        using var model = Model(EncoderKind.Static);
        using var generator = new TextEmbeddingGenerator(model);

        var nullText = Assert.Throws<ArgumentException>(() => generator.GenerateAsync(["a", null!, "c"]));
        StringAssert.Contains(nullText.Message, "Value 1 is null");
        var dimensions = Assert.Throws<ArgumentException>(() => generator.GenerateAsync(["a"], new EmbeddingGenerationOptions { Dimensions = 16 }));
        StringAssert.Contains(dimensions.Message, "16 dimensions; this model gives 8");
        var modelId = Assert.Throws<ArgumentException>(() => generator.GenerateAsync(["a"], new EmbeddingGenerationOptions { ModelId = "gpt" }));
        StringAssert.Contains(modelId.Message, "'gpt'");
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextEmbeddingGenerator(model, batchSize: 0));
    }

    [TestMethod]
    public async Task GenerateAsync_CancelledToken_CancelsWithoutEncoding()
    {
        using var model = Model(EncoderKind.Static);
        using var generator = new TextEmbeddingGenerator(model);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        await Assert.ThrowsAsync<OperationCanceledException>(() => generator.GenerateAsync(Texts, cancellationToken: cancel.Token));
    }

    [TestMethod]
    public async Task Dispose_OwningGenerator_DisposesModelAndRefusesWork()
    {
        var model = Model(EncoderKind.Static);
        var generator = new TextEmbeddingGenerator(model, disposeModel: true);
        var before = await generator.GenerateAsync(["hello"]);
        Assert.HasCount(1, before);

        generator.Dispose();

        Assert.Throws<ObjectDisposedException>(() => generator.GenerateAsync(["hello"]));
        Assert.Throws<Exception>(() => model.Encoder.parameters().First().numel(), "the model's tensors were freed");
    }
}
