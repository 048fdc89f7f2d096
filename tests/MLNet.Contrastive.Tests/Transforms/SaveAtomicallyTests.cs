using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Transforms;

[TestClass]
public sealed class SaveAtomicallyTests
{
    /// <summary>A transformer whose saving fails: placed after the embedding in a chain, it fails mid-save.</summary>
    private sealed class FailingToSave(ITransformer inner) : ITransformer
    {
        public bool IsRowToRowMapper => inner.IsRowToRowMapper;

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inner.GetOutputSchema(inputSchema);

        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => inner.GetRowToRowMapper(inputSchema);

        public IDataView Transform(IDataView input) => inner.Transform(input);

        void ICanSaveModel.Save(ModelSaveContext ctx) => throw new IOException("Simulated failure while saving (disk full).");
    }

    private string directory = string.Empty;

    [TestInitialize]
    public void CreateDirectory() => directory = Directory.CreateTempSubdirectory("mlnet-contrastive-save-").FullName;

    [TestCleanup]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [TestMethod]
    public void SaveAtomically_FailureMidSave_LeavesNoFile_ButPlainSaveDoes()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.View(mlContext, TestData.Rows(4));
        using var embedding = TestData.Fit(mlContext, data, dimension: 4);
        var chain = new TransformerChain<ITransformer>(embedding, new FailingToSave(embedding));
        var safePath = Path.Combine(directory, "safe.zip");
        var plainPath = Path.Combine(directory, "plain.zip");

        Assert.Throws<IOException>(() => mlContext.Model.SaveAtomically(chain, data.Schema, safePath));
        Assert.Throws<Exception>(() => mlContext.Model.Save(chain, data.Schema, plainPath));

        Assert.IsFalse(File.Exists(safePath));
        CollectionAssert.AreEqual(new[] { "plain.zip" }, Directory.GetFiles(directory).Select(Path.GetFileName).ToArray(),
            "no temporary file is left either; plain Save leaves its half-written file (why SaveAtomically exists)");
    }

    [TestMethod]
    public void SaveAtomically_FailureMidSave_KeepsThePreviousModel()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.View(mlContext, TestData.Rows(4));
        using var embedding = TestData.Fit(mlContext, data, dimension: 4);
        var path = Path.Combine(directory, "model.zip");
        mlContext.Model.SaveAtomically(embedding, data.Schema, path);
        var good = File.ReadAllBytes(path);

        Assert.Throws<IOException>(() => mlContext.Model.SaveAtomically(
            new TransformerChain<ITransformer>(embedding, new FailingToSave(embedding)), data.Schema, path));

        CollectionAssert.AreEqual(good, File.ReadAllBytes(path));
        var loaded = mlContext.Model.Load(path, out _);
        Assert.AreEqual(PersistenceTests.Bits(TestData.Vectors(embedding.Transform(data))[0]),
            PersistenceTests.Bits(TestData.Vectors(loaded.Transform(data))[0]));
    }
}
