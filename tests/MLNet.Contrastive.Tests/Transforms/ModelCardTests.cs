using System.IO.Compression;
using Microsoft.ML;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Transforms;

[TestClass]
public sealed class ModelCardTests
{
    private static readonly string Resources = Path.Combine(AppContext.BaseDirectory, "Transforms", "Resources");
    private string directory = string.Empty;

    [TestInitialize]
    public void CreateDirectory() => directory = Directory.CreateTempSubdirectory("mlnet-contrastive-card-").FullName;

    [TestCleanup]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [TestMethod]
    public void Fit_WithValidation_CardDescribesTheRun()
    {
        var mlContext = new MLContext(seed: 3);
        var data = TestData.View(mlContext, TestData.Rows(20));
        var options = TestData.Options();
        options.ValidationData = TestData.View(mlContext, TestData.Rows(10, seed: 9));
        using var transformer = mlContext.Transforms.ContrastiveEmbedding(options).Fit(data);

        var card = transformer.ModelCard!;
        var summary = transformer.TrainingSummary!;
        Assert.AreEqual(ModelCard.FromScratch, card.BaseModel);
        Assert.AreEqual("transformer, 2 layers, width 128, 4 heads", card.Encoder);
        StringAssert.StartsWith(card.Tokenizer, "cl100k_base, vocabulary compacted to ");
        Assert.AreEqual(128, card.MaxTokens);
        Assert.AreEqual(16, card.Dimension);
        Assert.AreEqual("mean", card.Pooling);
        Assert.AreEqual("InfoNce, temperature 0.05 (fixed)", card.Loss);
        Assert.AreEqual(8, card.BatchSize);
        Assert.AreEqual(32, card.ChunkSize);
        Assert.AreEqual(1, card.Epochs);
        Assert.AreEqual(summary.Steps, card.Steps);
        Assert.AreEqual(20, card.TrainingRows);
        Assert.AreEqual(summary.Losses[^1], card.FinalLoss);
        Assert.AreEqual(summary.ValidationRecallAt1[^1], card.ValidationRecallAt1);
        StringAssert.StartsWith(card.LibraryVersion, "0.1.0");
        StringAssert.Contains(card.ToString(), "Base model:          from scratch");
        StringAssert.Contains(card.ToMarkdown(), "| Dimension | 16 |");
    }

    [TestMethod]
    public void SaveLoad_Card_IsItsOwnJsonEntryWithoutPathsAndRoundTrips()
    {
        var mlContext = new MLContext(seed: 3);
        var data = TestData.View(mlContext, TestData.Rows(8));
        using var transformer = TestData.Fit(mlContext, data, dimension: 4);
        var path = Path.Combine(directory, "model.zip");
        mlContext.Model.Save(transformer, data.Schema, path);

        string json;
        using (var archive = ZipFile.OpenRead(path))
        {
            var entry = archive.GetEntry("TransformerChain/" + ContrastiveEmbeddingTransformer.ModelCardStreamName);
            Assert.IsNotNull(entry, string.Join(", ", archive.Entries.Select(e => e.FullName)));
            using var reader = new StreamReader(entry.Open());
            json = reader.ReadToEnd();
        }

        StringAssert.Contains(json, "\"BaseModel\": \"from scratch\"");
        Assert.DoesNotContain(directory, json);
        Assert.DoesNotContain(Path.GetTempPath(), json);
        var loaded = Single(new MLContext().Model.Load(path, out _));
        Assert.AreEqual(transformer.ModelCard, loaded.ModelCard);
        Assert.AreEqual(transformer.ModelCard!.ToString(), loaded.ModelCard!.ToString());
    }

    [TestMethod]
    public void SavedHeader_WrittenVersion12_ReadableBy12Only()
    {
        var mlContext = new MLContext(seed: 3);
        var data = TestData.View(mlContext, TestData.Rows(8));
        using var transformer = TestData.Fit(mlContext, data, dimension: 4);
        var path = Path.Combine(directory, "model.zip");
        mlContext.Model.Save(transformer, data.Schema, path);

        using var archive = ZipFile.OpenRead(path);
        using var key = new MemoryStream();
        archive.GetEntry("TransformerChain/Model.key")!.Open().CopyTo(key);
        var header = key.ToArray();
        Assert.AreEqual(0x00010002, BitConverter.ToInt32(header, 0x48), "version written");
        // 1.2 also adds the per-column prefixes and the transform batch size to the block, which a 1.1 reader would misread.
        Assert.AreEqual(0x00010002, BitConverter.ToInt32(header, 0x4C), "oldest version that can read it");
    }

    [TestMethod]
    public void LegacyZip_SavedBeforeTheCard_LoadsWithoutCardAndGivesItsVectorsBitForBit()
    {
        var lines = File.ReadAllLines(Path.Combine(Resources, "legacy-model-v1.1.vectors.txt")).Select(l => l.Split('\t')).ToArray();
        var mlContext = new MLContext();
        var model = mlContext.Model.Load(Path.Combine(Resources, "legacy-model-v1.1.zip"), out _);
        var transformer = Single(model);

        Assert.IsNull(transformer.ModelCard);
        var rows = mlContext.Data.LoadFromEnumerable(lines.Select(l => new TextRow { Anchor = l[0] }));
        var vectors = TestData.Vectors(transformer.Transform(rows));
        CollectionAssert.AreEqual(lines.Select(l => l[1]).ToArray(), vectors.Select(PersistenceTests.Bits).ToArray());
        Assert.HasCount(8, vectors);
    }

    [TestMethod]
    public void CorruptCardEntry_FailsToLoadNamingTheEntry()
    {
        var mlContext = new MLContext(seed: 3);
        var data = TestData.View(mlContext, TestData.Rows(8));
        using var transformer = TestData.Fit(mlContext, data, dimension: 4);
        var path = Path.Combine(directory, "model.zip");
        mlContext.Model.Save(transformer, data.Schema, path);
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var name = "TransformerChain/" + ContrastiveEmbeddingTransformer.ModelCardStreamName;
            archive.GetEntry(name)!.Delete();
            using var writer = new StreamWriter(archive.CreateEntry(name).Open());
            writer.Write("{ not json");
        }

        var error = Assert.Throws<Exception>(() => new MLContext().Model.Load(path, out _));
        var messages = string.Join(" | ", Chain(error).Select(e => e.Message));
        StringAssert.Contains(messages, "'ModelCard.json' entry could not be read");
    }

    [TestMethod]
    [DataRow(false, "BERT checkpoint 'minilm'")]
    [DataRow(true, "BERT checkpoint 'minilm/model.onnx'")]
    public void Builder_PretrainedModelPath_NamesTheFolderOrTheFolderAndFile(bool file, string expected)
    {
        string folder = Path.Combine(directory, "minilm");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "model.onnx"), "");
        using var model = EmbeddingModel.Create(
            new EncoderSpec { EncoderKind = EncoderKind.Static, Width = 8, MaxTokens = 16, Device = DeviceKind.Cpu, Seed = 1 },
            ["hello world"]);
        var options = new ContrastiveEmbeddingOptions { PretrainedModelPath = file ? Path.Combine(folder, "model.onnx") : folder };

        var card = ModelCardBuilder.Create(options, model, new TrainingSummary(3, 0, 0, [], [], TimeSpan.Zero));

        Assert.AreEqual(expected, card.BaseModel);
    }

    [TestMethod]
    public void Builder_PretrainedCheckpoint_NamesTheFolderNotThePath()
    {
        using var model = EmbeddingModel.Create(
            new EncoderSpec { EncoderKind = EncoderKind.Static, Width = 8, MaxTokens = 16, Normalize = true, Device = DeviceKind.Cpu, Seed = 1 },
            ["hello world"]);
        var options = new ContrastiveEmbeddingOptions
        {
            PretrainedModelPath = Path.Combine(directory, "all-MiniLM-L6-v2") + Path.DirectorySeparatorChar,
            LearnableTemperature = true,
            Loss = LossKind.Dclw,
        };
        var summary = new TrainingSummary(3, 0, 0, [], [], TimeSpan.Zero);

        var card = ModelCardBuilder.Create(options, model, summary);

        Assert.AreEqual("BERT checkpoint 'all-MiniLM-L6-v2'", card.BaseModel);
        Assert.AreEqual("static, width 8", card.Encoder);
        Assert.AreEqual("mean of token embeddings, L2-normalised", card.Pooling);
        Assert.AreEqual("Dclw, temperature 0.05 (learnable, initial value)", card.Loss);
        Assert.AreEqual(3, card.BatchSize, "the batch is capped at the number of rows");
        Assert.IsNull(card.FinalLoss);
        Assert.IsNull(card.ValidationRecallAt1);
        Assert.DoesNotContain(directory, card.ToString());
        StringAssert.Contains(card.ToString(), "Final loss:          n/a");
    }

    private static ContrastiveEmbeddingTransformer Single(ITransformer model) =>
        model as ContrastiveEmbeddingTransformer ?? ((IEnumerable<ITransformer>)model).OfType<ContrastiveEmbeddingTransformer>().Single();

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}
