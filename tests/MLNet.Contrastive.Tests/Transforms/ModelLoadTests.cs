using Microsoft.ML;
using MLNet.Contrastive.Tests.Encoders;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Transforms;

[TestClass]
public sealed class ModelLoadTests
{
    private string directory = string.Empty;

    [TestInitialize]
    public void CreateDirectory() => directory = Directory.CreateTempSubdirectory("mlnet-contrastive-load-").FullName;

    [TestCleanup]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [TestMethod]
    public void Load_GoodModel_SameVectorsAsModelLoad()
    {
        var (path, data, expected) = SaveSmallModel();

        var loaded = ContrastiveEmbeddingTransformer.Load(new MLContext(), path, out var schema);

        Assert.IsNotNull(schema);
        CollectionAssert.AreEqual(expected, TestData.Vectors(loaded.Transform(data)).Select(PersistenceTests.Bits).ToArray());
        Assert.IsTrue(ContrastiveEmbeddingTransformer.TryLoad(new MLContext(), path, out var again, out _, out var error));
        Assert.IsNull(error);
        (again as IDisposable)?.Dispose();
        (loaded as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void Load_Truncated_InvalidDataExceptionNamingTheFile()
    {
        var (path, _, _) = SaveSmallModel();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());

        AssertBadModel(path, "zip");
    }

    [TestMethod]
    public void Load_BitFlippedWeights_InvalidDataExceptionSaysChecksum()
    {
        var (path, _, _) = SaveSmallModel();
        PersistenceTests.RewriteEntry(path, ContrastiveEmbeddingTransformer.ModelStreamName, bytes =>
        {
            bytes[bytes.Length - 100] ^= 0x10;
            return bytes;
        });

        AssertBadModel(path, "checksum");
    }

    [TestMethod]
    public void Load_OneBitFlippedAnywhereInTheZip_FailsClearlyOrGivesTheSameVectors()
    {
        // No silent wrong result: a flipped bit anywhere in the file (zip headers, the schema, the model card, the
        // weights) either fails as InvalidDataException naming the file, or lands in bytes nothing reads and the
        // model embeds exactly as before. 96 positions spread evenly over the file, one at a time.
        var (path, data, expected) = SaveSmallModel();
        var original = File.ReadAllBytes(path);
        var flipped = Path.Combine(directory, "flipped.zip");
        var failed = 0;
        const int positions = 96;
        for (var i = 0; i < positions; i++)
        {
            var bytes = (byte[])original.Clone();
            var position = (int)((long)i * (bytes.Length - 1) / (positions - 1));
            bytes[position] ^= 0x10;
            File.WriteAllBytes(flipped, bytes);
            if (!ContrastiveEmbeddingTransformer.TryLoad(new MLContext(), flipped, out var loaded, out _, out var error))
            {
                StringAssert.Contains(error, flipped, $"byte {position}");
                failed++;
                continue;
            }

            try
            {
                var vectors = TestData.Vectors(loaded!.Transform(data)).Select(PersistenceTests.Bits).ToArray();
                CollectionAssert.AreEqual(expected, vectors, $"byte {position} of {bytes.Length} flipped: loaded without error but embeds differently");
            }
            finally
            {
                (loaded as IDisposable)?.Dispose();
            }
        }

        Assert.IsGreaterThan(positions / 2, failed, "most of the file is checked data");
    }

    [TestMethod]
    public void Load_WrongSignature_InvalidDataException()
    {
        var (path, _, _) = SaveSmallModel();
        // ML.NET's ModelHeader: the component's u64 model signature at 0x40 ("CNTREMBD").
        PersistenceTests.RewriteEntry(path, "Model.key", bytes =>
        {
            "NOTAMODL"u8.CopyTo(bytes.AsSpan(0x40, 8));
            return bytes;
        });

        AssertBadModel(path, string.Empty);
    }

    [TestMethod]
    public void Load_NewerVersion_InvalidDataExceptionSaysTooNew()
    {
        var (path, _, _) = SaveSmallModel();
        PersistenceTests.RewriteEntry(path, "Model.key", bytes =>
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(0x48, 4), 0x00020001U);
            BitConverter.TryWriteBytes(bytes.AsSpan(0x4C, 4), 0x00020001U);
            return bytes;
        });

        AssertBadModel(path, "too new");
    }

    [TestMethod]
    public void Load_NaNWeights_InvalidDataExceptionSaysNaN()
    {
        var (path, _, _) = SaveSmallModel();
        PersistenceTests.RewriteEntry(path, ContrastiveEmbeddingTransformer.ModelStreamName, WeightIntegrityTests.ForgeNaN);

        AssertBadModel(path, "NaN");
    }

    [TestMethod]
    public void TryLoad_MissingFile_FalseWithMessage()
    {
        var path = Path.Combine(directory, "absent.zip");

        Assert.IsFalse(ContrastiveEmbeddingTransformer.TryLoad(new MLContext(), path, out var model, out _, out var error));

        Assert.IsNull(model);
        StringAssert.Contains(error, "does not exist");
    }

    [TestMethod]
    public void Load_ForgedTransformBatchSize_RefusedNamingTheBound()
    {
        var mlContext = new MLContext(seed: 3);
        var data = TestData.View(mlContext, TestData.Rows(4));
        using var transformer = TestData.Fit(mlContext, data, dimension: 4);
        transformer.TransformBatchSize = 777;
        var path = Path.Combine(directory, "small.zip");
        mlContext.Model.Save(transformer, data.Schema, path);
        PersistenceTests.RewriteEntry(path, "Model.key", bytes =>
        {
            var at = bytes.AsSpan(0x100).IndexOf(BitConverter.GetBytes(777)) + 0x100;
            Assert.IsGreaterThanOrEqualTo(0x100, at, "the saved batch size is in the model's data");
            BitConverter.TryWriteBytes(bytes.AsSpan(at, 4), int.MaxValue);
            return bytes;
        });

        AssertBadModel(path, "transform batch size 2,147,483,647 (expected 1 to 65,536)");
    }

    [TestMethod]
    public void Load_ModelCardContradictsTheModel_Refused()
    {
        var (path, _, _) = SaveSmallModel();
        PersistenceTests.RewriteEntry(path, ContrastiveEmbeddingTransformer.ModelCardStreamName, bytes =>
        {
            var json = System.Text.Encoding.UTF8.GetString(bytes);
            var forged = json.Replace("\"Dimension\": 4,", "\"Dimension\": 999,", StringComparison.Ordinal);
            Assert.AreNotEqual(json, forged);
            return System.Text.Encoding.UTF8.GetBytes(forged);
        });

        AssertBadModel(path, "the card says dimension 999");
    }

    [TestMethod]
    public void Load_Directory_SaysItIsADirectory()
    {
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => ContrastiveEmbeddingTransformer.Load(new MLContext(), directory, out _));

        StringAssert.Contains(e.Message, directory);
        StringAssert.Contains(e.Message, "is a directory, not a model file");
    }

    private static void AssertBadModel(string path, string cause)
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ContrastiveEmbeddingTransformer.Load(new MLContext(), path, out _));
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, cause);
        Assert.IsFalse(e.Message.Contains("target of an invocation", StringComparison.Ordinal), e.Message);
        Assert.IsFalse(ContrastiveEmbeddingTransformer.TryLoad(new MLContext(), path, out _, out _, out var error));
        Assert.AreEqual(e.Message, error);
    }

    private (string Path, IDataView Data, string[] Expected) SaveSmallModel()
    {
        var mlContext = new MLContext(seed: 3);
        var data = TestData.View(mlContext, TestData.Rows(4));
        using var transformer = TestData.Fit(mlContext, data, dimension: 4);
        var path = Path.Combine(directory, "small.zip");
        mlContext.Model.Save(transformer, data.Schema, path);
        return (path, data, TestData.Vectors(transformer.Transform(data)).Select(PersistenceTests.Bits).ToArray());
    }
}
