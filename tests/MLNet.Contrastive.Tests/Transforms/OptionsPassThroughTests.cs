using Microsoft.ML;
using Microsoft.ML.Tokenizers;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Transforms;

/// <summary>Options of the core that reach users through <see cref="ContrastiveEmbeddingOptions"/>.</summary>
[TestClass]
public sealed class OptionsPassThroughTests
{
    private static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "Transforms", "Fixtures");

    private string directory = string.Empty;

    [TestInitialize]
    public void CreateDirectory() => directory = Directory.CreateTempSubdirectory("mlnet-options-").FullName;

    [TestCleanup]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [TestMethod]
    public void TransformBatchSize_Five_RunsOneForwardPassPerFiveRows_AndIsSaved()
    {
        var mlContext = new MLContext(seed: 3);
        var data = TestData.View(mlContext, TestData.Rows(12));
        var options = StaticOptions();
        options.TransformBatchSize = 5;
        using var transformer = mlContext.Transforms.ContrastiveEmbedding(options).Fit(data);
        using var reference = mlContext.Transforms.ContrastiveEmbedding(StaticOptions()).Fit(data);
        var before = transformer.Model.ForwardPasses;

        var vectors = TestData.Vectors(transformer.Transform(data));

        Assert.AreEqual(5, transformer.TransformBatchSize);
        Assert.AreEqual(3, transformer.Model.ForwardPasses - before, "12 rows in batches of 5: 3 forward passes");
        Assert.AreEqual(ContrastiveEmbeddingTransformer.DefaultTransformBatchSize, reference.TransformBatchSize);
        var expected = TestData.Vectors(reference.Transform(data));
        for (var i = 0; i < vectors.Length; i++)
        {
            TestData.AssertSameEmbedding(expected[i], vectors[i], $"row {i}: the batch size must not change the vectors");
        }

        var path = Path.Combine(directory, "model.zip");
        mlContext.Model.Save(transformer, data.Schema, path);
        var loaded = (ContrastiveEmbeddingTransformer)new MLContext().Model.Load(path, out _);
        using (loaded)
        {
            Assert.AreEqual(5, loaded.TransformBatchSize);
        }
    }

    [TestMethod]
    public void ModelOfFormat1_1_Loads_WithTheOldBatchSizeAndItsVectors()
    {
        // Written by the 1.1 format (before the batch size was saved): a static encoder, 8-d, untrained, seed 7.
        var loaded = (ContrastiveEmbeddingTransformer)new MLContext().Model.Load(Path.Combine(FixtureDirectory, "model-format-1.1.zip"), out _);
        using (loaded)
        {
            var mlContext = new MLContext();
            var texts = new[] { "cat dog kitten", "stock bond market", "purr paw" };
            var view = mlContext.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Anchor = t }));

            var vectors = TestData.Vectors(loaded.Transform(view)).Select(PersistenceTests.Bits).ToArray();

            Assert.AreEqual(64, loaded.TransformBatchSize);
            CollectionAssert.AreEqual(File.ReadAllLines(Path.Combine(FixtureDirectory, "model-format-1.1.vectors.txt")), vectors);
        }
    }

    [TestMethod]
    public void CompactVocabularyOff_KeepsTheWholeVocabulary_AndTellsUnseenTokensApart()
    {
        var mlContext = new MLContext(seed: 3);
        var data = TestData.View(mlContext, TestData.Rows(8));
        var compactOptions = StaticOptions();
        var fullOptions = StaticOptions();
        fullOptions.CompactVocabulary = false;
        using var compact = mlContext.Transforms.ContrastiveEmbedding(compactOptions).Fit(data);
        using var full = mlContext.Transforms.ContrastiveEmbedding(fullOptions).Fit(data);

        Assert.IsNotNull(compact.Model.VocabularyMap);
        Assert.IsNull(full.Model.VocabularyMap);
        Assert.AreEqual(full.Model.Tokenizer.VocabularySize, ((StaticEncoder)full.Model.Encoder).Shape.VocabularySize);
        Assert.AreEqual(compact.Model.VocabularyMap!.Count, ((StaticEncoder)compact.Model.Encoder).Shape.VocabularySize);

        // Words the training texts never contain: one shared "unseen" row when compacted, their own rows otherwise.
        var unseen = new[] { "zebra", "volcano" };
        var compactVectors = compact.Model.Encode(unseen).Select(PersistenceTests.Bits).ToArray();
        var fullVectors = full.Model.Encode(unseen).Select(PersistenceTests.Bits).ToArray();
        Assert.AreEqual(compactVectors[0], compactVectors[1]);
        Assert.AreNotEqual(fullVectors[0], fullVectors[1]);
    }

    [TestMethod]
    public void CompactVocabularyOff_WithATokenizerInstance_NamesTheOption()
    {
        var options = StaticOptions();
        options.CompactVocabulary = false;
        options.Tokenizer = TiktokenTokenizer.CreateForEncoding("cl100k_base");

        var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Transforms.ContrastiveEmbedding(options));

        Assert.AreEqual(nameof(ContrastiveEmbeddingOptions.CompactVocabulary), error.ParamName);
    }

    [TestMethod]
    public void Pooling_ClsForATransformerFromScratch_IsUsedAndSaved()
    {
        var mlContext = new MLContext(seed: 3);
        var data = TestData.View(mlContext, TestData.Rows(8));
        // CLS pooling needs a [CLS] token: a BERT vocabulary (cl100k_base has none and is refused).
        var vocabulary = Text.TestVocabulary.WriteFile();
        var cls = TestData.Options();
        cls.EncoderKind = EncoderKind.Transformer;
        cls.Epochs = 0;
        cls.Pooling = PoolingMode.Cls;
        cls.VocabularyPath = vocabulary;
        var mean = TestData.Options();
        mean.EncoderKind = EncoderKind.Transformer;
        mean.Epochs = 0;
        mean.VocabularyPath = vocabulary;
        using var clsModel = mlContext.Transforms.ContrastiveEmbedding(cls).Fit(data);
        using var meanModel = mlContext.Transforms.ContrastiveEmbedding(mean).Fit(data);

        Assert.AreEqual(PoolingMode.Cls, ((TransformerEncoder)clsModel.Model.Encoder).Shape.Pooling);
        Assert.AreEqual(PoolingMode.Mean, ((TransformerEncoder)meanModel.Model.Encoder).Shape.Pooling);
        var clsVectors = TestData.Vectors(clsModel.Transform(data));
        var meanVectors = TestData.Vectors(meanModel.Transform(data));
        Assert.AreNotEqual(PersistenceTests.Bits(meanVectors[0]), PersistenceTests.Bits(clsVectors[0]), "same seed and weights, other pooling");

        var path = Path.Combine(directory, "model.zip");
        mlContext.Model.Save(clsModel, data.Schema, path);
        var loaded = (ContrastiveEmbeddingTransformer)new MLContext().Model.Load(path, out _);
        using (loaded)
        {
            Assert.AreEqual(PoolingMode.Cls, ((TransformerEncoder)loaded.Model.Encoder).Shape.Pooling);
            CollectionAssert.AreEqual(clsVectors.Select(PersistenceTests.Bits).ToArray(), TestData.Vectors(loaded.Transform(data)).Select(PersistenceTests.Bits).ToArray());
        }
    }

    [TestMethod]
    public void Pooling_MaxWithTheStaticEncoder_NamesTheOption()
    {
        var options = StaticOptions();
        options.Pooling = PoolingMode.Max;

        var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Transforms.ContrastiveEmbedding(options));

        Assert.AreEqual(nameof(ContrastiveEmbeddingOptions.Pooling), error.ParamName);
        StringAssert.Contains(error.Message, "Transformer");
    }

    [TestMethod]
    public void TransformBatchSize_Zero_NamesTheOption()
    {
        var options = StaticOptions();
        options.TransformBatchSize = 0;
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext().Transforms.ContrastiveEmbedding(options));
        Assert.AreEqual(nameof(ContrastiveEmbeddingOptions.TransformBatchSize), error.ParamName);
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void Constructor_TrimNativeHeapAndChunkSize_ReachTheGradientCache(bool trim)
    {
        var options = StaticOptions();
        options.ChunkSize = 4;
        options.TrimNativeHeap = trim;

        var estimator = new MLContext(seed: 3).Transforms.ContrastiveEmbedding(options);

        // The cache's own test (TrainerSettingsTests) counts the trims that this setting asks for.
        Assert.AreEqual((trim, 4), (estimator.Plan.Trainer.Cache.TrimNativeHeap, estimator.Plan.Trainer.Cache.ChunkSize));
    }

    private static ContrastiveEmbeddingOptions StaticOptions()
    {
        var options = TestData.Options(dimension: 8);
        options.EncoderKind = EncoderKind.Static;
        options.Width = 8;
        options.Epochs = 0;
        return options;
    }
}
