using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML;
using MLNet.Contrastive.Generators;
using MLNet.Contrastive.Tests.Transforms;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Generators;

/// <summary>The transformer as Microsoft.Extensions.AI's IEmbeddingGenerator, through ME.AI's own middleware.</summary>
[TestClass]
public sealed class EmbeddingGeneratorTests
{
    private static readonly MLContext MLContext = new(seed: 5);
    private static ContrastiveEmbeddingTransformer? transformer;
    private static List<PairRow> rows = [];

    [ClassInitialize]
    public static void FitOnce(TestContext context)
    {
        _ = context;
        EmbeddingGeneratorTests.rows = TestData.Rows(40, seed: 2);
        EmbeddingGeneratorTests.transformer = TestData.Fit(MLContext, TestData.View(MLContext, EmbeddingGeneratorTests.rows));
    }

    [ClassCleanup]
    public static void DisposeTransformer() => EmbeddingGeneratorTests.transformer?.Dispose();

    private static ContrastiveEmbeddingTransformer Transformer => EmbeddingGeneratorTests.transformer!;

    // The texts of Transform's rows; small read-ahead blocks and batches so that 40 rows cross block boundaries.
    private static string[] Texts => EmbeddingGeneratorTests.rows.Select(r => r.Anchor!).ToArray();

    private static float[][] TransformVectors() =>
        TestData.Vectors(Transformer.Transform(MLContext.Data.LoadFromEnumerable(Texts.Select(t => new TextRow { Anchor = t }))));

    [TestMethod]
    public async Task Pipeline_LoggingAndDistributedCache_GivesTransformVectorsBitForBitAndCaches()
    {
        Transformer.ReadAheadRows = 16;
        Transformer.TransformBatchSize = 4;
        var expected = TransformVectors();
        var log = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(log).SetMinimumLevel(LogLevel.Trace));
        var cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        using var generator = Transformer.AsIEmbeddingGenerator()
            .AsBuilder()
            .UseLogging(loggerFactory)
            .UseDistributedCache(cache)
            .Build();

        var first = await generator.GenerateAsync(Texts);
        var callsAfterFirst = Transformer.EncodeCalls;
        var second = await generator.GenerateAsync(Texts);

        for (var i = 0; i < expected.Length; i++)
        {
            CollectionAssert.AreEqual(expected[i], first[i].Vector.ToArray(), $"row {i}: generator vs Transform");
            CollectionAssert.AreEqual(expected[i], second[i].Vector.ToArray(), $"row {i}: cached vs Transform");
        }

        Assert.AreEqual(callsAfterFirst, Transformer.EncodeCalls, "the second call is served by the cache");
        Assert.IsTrue(log.Messages.Any(m => m.Contains("GenerateAsync", StringComparison.Ordinal)), string.Join("\n", log.Messages));
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>()!;
        Assert.AreEqual(TextEmbeddingGenerator.ProviderName, metadata.ProviderName);
        Assert.AreEqual(16, metadata.DefaultModelDimensions);
        Assert.AreEqual("contrastive-transformer-16", metadata.DefaultModelId);
        Assert.AreSame(Transformer, generator.GetService<ContrastiveEmbeddingTransformer>());
    }

    [TestMethod]
    public async Task LoadedModel_AsIEmbeddingGenerator_GivesTransformVectorsBitForBit()
    {
        Transformer.ReadAheadRows = 1024;
        Transformer.TransformBatchSize = 64;
        var path = Path.Combine(Path.GetTempPath(), $"mlnet-contrastive-generator-{Guid.NewGuid():N}.zip");
        try
        {
            var data = TestData.View(MLContext, EmbeddingGeneratorTests.rows);
            MLContext.Model.Save(Transformer, data.Schema, path);
            var loaded = new MLContext().Model.Load(path, out _);
            var expected = TestData.Vectors(loaded.Transform(data));
            using var generator = loaded.AsIEmbeddingGenerator(modelId: "pets-and-markets", disposeTransformer: true);

            var embeddings = await generator.GenerateAsync(Texts);

            for (var i = 0; i < expected.Length; i++)
            {
                CollectionAssert.AreEqual(expected[i], embeddings[i].Vector.ToArray(), $"row {i}");
                Assert.AreEqual("pets-and-markets", embeddings[i].ModelId);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void AsIEmbeddingGenerator_ModelWithoutContrastiveStep_ThrowsNamingIt()
    {
        var other = MLContext.Transforms.Text.FeaturizeText("F", nameof(TextRow.Anchor))
            .Fit(MLContext.Data.LoadFromEnumerable(new[] { new TextRow { Anchor = "a b" } }));
        var e = Assert.Throws<ArgumentException>(() => other.AsIEmbeddingGenerator());
        StringAssert.Contains(e.Message, "holds 0");
    }

    [TestMethod]
    public async Task GenerateAsync_ManyThreads_EachGetsTheSingleThreadedVectors()
    {
        Transformer.ReadAheadRows = 16;
        Transformer.TransformBatchSize = 4;
        using var generator = Transformer.AsIEmbeddingGenerator();
        var expected = TransformVectors();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => generator.GenerateAsync(Texts))));

        foreach (var result in results)
        {
            for (var i = 0; i < expected.Length; i++)
            {
                CollectionAssert.AreEqual(expected[i], result[i].Vector.ToArray(), $"row {i}");
            }
        }
    }

    [TestMethod]
    public async Task GenerateAsync_CancelledWhileRunning_StopsBeforeTheEnd()
    {
        Transformer.ReadAheadRows = 1;
        Transformer.TransformBatchSize = 1;
        using var generator = Transformer.AsIEmbeddingGenerator();
        var texts = Enumerable.Repeat(Texts, 100).SelectMany(t => t).ToArray(); // 4000 one-text blocks
        using var cancel = new CancellationTokenSource();
        var start = Transformer.EncodeCalls;

        var task = generator.GenerateAsync(texts, cancellationToken: cancel.Token);
        while (Transformer.EncodeCalls == start && !task.IsCompleted)
        {
            await Task.Delay(1);
        }

        await cancel.CancelAsync();
        await Assert.ThrowsAsync<OperationCanceledException>(() => task);
        Assert.IsLessThan(texts.Length, Transformer.EncodeCalls - start, "it stopped before encoding every block");
    }

    [TestMethod]
    public async Task DependencyInjection_AddEmbeddingGeneratorWithCacheAndLogging_ResolvesAWorkingGenerator()
    {
        Transformer.ReadAheadRows = 1024;
        Transformer.TransformBatchSize = 64;
        var expected = TransformVectors();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDistributedMemoryCache();
        services.AddEmbeddingGenerator(_ => Transformer.AsIEmbeddingGenerator())
            .UseDistributedCache()
            .UseLogging();
        await using var provider = services.BuildServiceProvider();

        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var embeddings = await generator.GenerateAsync(Texts);

        for (var i = 0; i < expected.Length; i++)
        {
            CollectionAssert.AreEqual(expected[i], embeddings[i].Vector.ToArray(), $"row {i}");
        }
    }

    [TestMethod]
    public async Task GenerateVectorAsync_OneText_EqualsTransformOfOneRowAndBatchedToRounding()
    {
        Transformer.ReadAheadRows = 1024;
        Transformer.TransformBatchSize = 64;
        var batched = TransformVectors();
        using var generator = Transformer.AsIEmbeddingGenerator();
        var worst = 0f;
        for (var i = 0; i < 5; i++)
        {
            var alone = (await generator.GenerateVectorAsync(Texts[i])).ToArray();
            var oneRow = TestData.Vectors(Transformer.Transform(MLContext.Data.LoadFromEnumerable(new[] { new TextRow { Anchor = Texts[i] } })))[0];
            CollectionAssert.AreEqual(oneRow, alone, $"text {i}: the same batch composition gives the same bits");
            TestData.AssertSameEmbedding(batched[i], alone, $"text {i}: alone vs in a batch of 40");
            worst = Math.Max(worst, batched[i].Zip(alone, (a, b) => Math.Abs(a - b)).Max());
        }

        Console.WriteLine($"max |alone - batched| over 5 texts: {worst:E2}");
    }

    private sealed class ListLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new ListLogger(Messages);

        public void Dispose()
        {
        }
    }

    private sealed class ListLogger(ConcurrentQueue<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            messages.Enqueue(formatter(state, exception));
    }
}
