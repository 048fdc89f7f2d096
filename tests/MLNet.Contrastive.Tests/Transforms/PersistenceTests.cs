using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using Microsoft.ML;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Transforms;

[TestClass]
public sealed class PersistenceTests
{
    private string directory = string.Empty;

    [TestInitialize]
    public void CreateDirectory() => directory = Directory.CreateTempSubdirectory("mlnet-contrastive-").FullName;

    [TestCleanup]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [TestMethod]
    public void SavedModel_LoadedInFreshProcess_GivesBitIdenticalVectors()
    {
        var mlContext = new MLContext(seed: 3);
        var rows = TestData.Rows(20);
        var data = TestData.View(mlContext, rows);
        using var transformer = TestData.Fit(mlContext, data);
        var modelPath = Path.Combine(directory, "model.zip");
        mlContext.Model.Save(transformer, data.Schema, modelPath);
        var textsPath = Path.Combine(directory, "texts.tsv");
        File.WriteAllLines(textsPath, rows.Select(r => r.Anchor!));
        var expected = TestData.Vectors(transformer.Transform(data)).Select(Bits).ToArray();

        var resultPath = Path.Combine(directory, "result.txt");
        RunLoadCheck(modelPath, textsPath, "Anchor", "Embedding", resultPath);

        CollectionAssert.AreEqual(expected, File.ReadAllLines(resultPath), "vectors must be bit-identical across processes");
    }

    [TestMethod]
    public void SavedModel_LoadedInProcess_TransformsAndPredictsIdentically()
    {
        var mlContext = new MLContext(seed: 3);
        var rows = TestData.Rows(10);
        var data = TestData.View(mlContext, rows);
        using var transformer = TestData.Fit(mlContext, data);
        var expected = TestData.Vectors(transformer.Transform(data));
        var modelPath = Path.Combine(directory, "model.zip");
        mlContext.Model.Save(transformer, data.Schema, modelPath);

        var loaded = new MLContext().Model.Load(modelPath, out var schema);
        var actual = TestData.Vectors(loaded.Transform(data));
        Assert.AreEqual(data.Schema.Count, schema.Count);
        CollectionAssert.AreEqual(expected.Select(Bits).ToArray(), actual.Select(Bits).ToArray());

        using var engine = mlContext.Model.CreatePredictionEngine<TextRow, EmbeddingPrediction>(loaded);
        for (var i = 0; i < rows.Count; i++)
        {
            var predicted = engine.Predict(new TextRow { Anchor = rows[i].Anchor! }).Embedding;
            TestData.AssertSameEmbedding(expected[i], predicted, $"row {i}: PredictionEngine must equal Transform");
        }
    }

    [TestMethod]
    public void TruncatedModelFile_FailsToLoadWithError()
    {
        var modelPath = SaveSmallModel();
        var bytes = File.ReadAllBytes(modelPath);
        File.WriteAllBytes(modelPath, bytes.AsSpan(0, bytes.Length / 2).ToArray());

        var error = Assert.Throws<Exception>(() => new MLContext().Model.Load(modelPath, out _));
        StringAssert.Contains(Flatten(error), "zip", "the error says the file is not a complete zip");
    }

    [TestMethod]
    public void CorruptedModelStream_FailsWithClearError()
    {
        var modelPath = SaveSmallModel();
        RewriteEntry(modelPath, ContrastiveEmbeddingTransformer.ModelStreamName, bytes => bytes.AsSpan(0, bytes.Length - 5).ToArray());

        var error = Assert.Throws<Exception>(() => new MLContext().Model.Load(modelPath, out _));

        StringAssert.Contains(Flatten(error), "Corrupt contrastive embedding model: the 'EmbeddingModel' stream could not be read");
    }

    [TestMethod]
    public void ModelWrittenByNewerFormat_FailsWithClearError()
    {
        var modelPath = SaveSmallModel();
        // ML.NET's model header (ModelHeader, 256 bytes): at 0x48 the u32 version of the component's format that
        // wrote the model, at 0x4C the u32 oldest version that can read it. Claim that format 2.1 wrote it and that
        // only readers of 2.1 or later can read it.
        RewriteEntry(modelPath, "Model.key", bytes =>
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(0x48, 4), 0x00020001U);
            BitConverter.TryWriteBytes(bytes.AsSpan(0x4C, 4), 0x00020001U);
            return bytes;
        });

        var error = Assert.Throws<Exception>(() => new MLContext().Model.Load(modelPath, out _));

        StringAssert.Contains(Flatten(error), "too new");
    }

    private static string Flatten(Exception error)
    {
        var messages = new List<string>();
        for (var e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        return string.Join(" | ", messages);
    }

    private string SaveSmallModel()
    {
        var mlContext = new MLContext(seed: 3);
        var data = TestData.View(mlContext, TestData.Rows(4));
        using var transformer = TestData.Fit(mlContext, data, dimension: 4);
        var modelPath = Path.Combine(directory, "small.zip");
        mlContext.Model.Save(transformer, data.Schema, modelPath);
        return modelPath;
    }

    internal static void RewriteEntry(string zipPath, string nameSuffix, Func<byte[], byte[]> change)
    {
        using var archive = ZipFile.Open(zipPath, ZipArchiveMode.Update);
        // A single transformer is saved in the "TransformerChain" directory of the zip.
        var entries = archive.Entries.Where(e => e.FullName == "TransformerChain/" + nameSuffix).ToList();
        Assert.HasCount(1, entries, $"entries: {string.Join(", ", archive.Entries.Select(e => e.FullName))}");
        var entry = entries[0];
        byte[] bytes;
        using (var stream = entry.Open())
        using (var memory = new MemoryStream())
        {
            stream.CopyTo(memory);
            bytes = memory.ToArray();
        }

        var name = entry.FullName;
        entry.Delete();
        using var replaced = archive.CreateEntry(name).Open();
        replaced.Write(change(bytes));
    }

    internal static string Bits(float[] vector) =>
        string.Join(' ', vector.Select(f => BitConverter.SingleToInt32Bits(f).ToString("x8", CultureInfo.InvariantCulture)));

    internal static void RunLoadCheck(params string[] args)
    {
        var (exitCode, output) = TryLoadCheck(args);
        Assert.AreEqual(0, exitCode, $"load check failed:\n{output}");
    }

    /// <summary>Runs tests/MLNet.Contrastive.LoadCheck in a fresh process.</summary>
    /// <returns>Its exit code, and its standard output and error.</returns>
    internal static (int ExitCode, string Output) TryLoadCheck(params string[] args)
    {
        var loadCheck = typeof(PersistenceTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "LoadCheckPath").Value!;
        Assert.IsTrue(File.Exists(loadCheck), $"the load check program was not built: {loadCheck}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(loadCheck);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(60_000), "the load check did not finish in 60 s");
        return (process.ExitCode, $"{stdout.Result}\n{stderr}");
    }

    public sealed class EmbeddingPrediction
    {
        public float[] Embedding { get; set; } = Array.Empty<float>();
    }
}
