using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Contrastive.Tests.Transforms;

[TestClass]
public sealed class TransformTests
{
    private sealed class FeatureRow
    {
        public int Id { get; set; }

        public string Anchor { get; set; } = string.Empty;

        [VectorType(2)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    [TestMethod]
    public void Transform_InputInNewOrderPerCursor_EveryRowGetsItsOwnEmbedding()
    {
        var mlContext = new MLContext(seed: 2);
        var rows = TestData.Rows(300, seed: 9).Select((r, i) => new FeatureRow { Id = i, Anchor = r.Anchor!, Features = new[] { i, -i - 0.5f } }).ToArray();
        using var transformer = TestData.Fit(mlContext, TestData.View(mlContext, TestData.Rows(16)));
        transformer.ReadAheadRows = 64;
        var expected = transformer.Model.Encode(rows.Select(r => r.Anchor).ToArray());
        var input = new ReshufflingDataView<FeatureRow>(mlContext, rows, seed: 4);

        var view = transformer.Transform(input);
        using var cursor = view.GetRowCursor(view.Schema);
        var id = cursor.GetGetter<int>(view.Schema["Id"]);
        var anchor = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema["Anchor"]);
        var features = cursor.GetGetter<VBuffer<float>>(view.Schema["Features"]);
        var embedding = cursor.GetGetter<VBuffer<float>>(view.Schema["Embedding"]);
        var rowId = cursor.GetIdGetter();
        var (i, text, f, e, rid) = (0, default(ReadOnlyMemory<char>), default(VBuffer<float>), default(VBuffer<float>), default(DataViewRowId));
        var seen = new List<int>();
        var ids = new HashSet<DataViewRowId>();
        while (cursor.MoveNext())
        {
            Assert.AreEqual(seen.Count, cursor.Position, "Position counts the rows served");
            id(ref i);
            anchor(ref text);
            features(ref f);
            embedding(ref e);
            rowId(ref rid);
            Assert.AreEqual(rows[i].Anchor, text.ToString(), $"row {seen.Count}: text of id {i}");
            CollectionAssert.AreEqual(rows[i].Features, f.DenseValues().ToArray(), $"row {seen.Count}: vector column of id {i}");
            TestData.AssertSameEmbedding(expected[i], e.DenseValues().ToArray(), $"row {seen.Count} (id {i})");
            Assert.IsTrue(ids.Add(rid), "row ids are distinct");
            seen.Add(i);
        }

        // One input cursor served all 300 rows, in an order other than the source's.
        Assert.AreEqual(1, input.CursorsOpened);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 300).ToArray(), seen);
        CollectionAssert.AreNotEqual(Enumerable.Range(0, 300).ToArray(), seen);
    }

    [TestMethod]
    public void Transform_EncodesInBatches_AndKeepsRowsAligned()
    {
        var mlContext = new MLContext(seed: 2);
        var rows = TestData.Rows(150);
        var data = TestData.View(mlContext, rows);
        using var transformer = TestData.Fit(mlContext, data);
        transformer.ReadAheadRows = 64;
        var before = transformer.EncodeCalls;

        var view = transformer.Transform(data);
        var vectors = TestData.Vectors(view);
        var ids = view.GetColumn<int>(nameof(PairRow.Id)).ToArray();

        // 150 rows read 64 at a time: 3 model calls, not 150.
        Assert.AreEqual(3, transformer.EncodeCalls - before);
        CollectionAssert.AreEqual(Enumerable.Range(0, 150).ToArray(), ids);
        using var engine = mlContext.Model.CreatePredictionEngine<TextRow, PersistenceTests.EmbeddingPrediction>(transformer);
        foreach (var i in new[] { 0, 63, 64, 65, 127, 128, 149 })
        {
            TestData.AssertSameEmbedding(vectors[i], engine.Predict(new TextRow { Anchor = rows[i].Anchor! }).Embedding, $"row {i}");
        }
    }

    [TestMethod]
    public void Transform_SeveralColumnPairs_EmbedsEachInput()
    {
        var mlContext = new MLContext(seed: 2);
        var rows = TestData.Rows(6);
        var data = TestData.View(mlContext, rows);
        var options = TestData.Options();
        options.Columns = new[] { new InputOutputColumnPair("A", "Anchor"), new InputOutputColumnPair("P", "Positive") };
        using var transformer = mlContext.Transforms.ContrastiveEmbedding(options).Fit(data);

        var view = transformer.Transform(data);
        var a = TestData.Vectors(view, "A");
        var p = TestData.Vectors(view, "P");
        var swapped = TestData.Vectors(transformer.Transform(TestData.View(mlContext,
            rows.Select(r => new PairRow { Anchor = r.Positive, Positive = r.Anchor, Negative = r.Negative }))), "A");

        // Column P of a row is the embedding of its Positive text: the same as column A when texts are swapped.
        CollectionAssert.AreEqual(swapped.Select(PersistenceTests.Bits).ToArray(), p.Select(PersistenceTests.Bits).ToArray());
        Assert.AreNotEqual(PersistenceTests.Bits(a[0]), PersistenceTests.Bits(p[0]));
    }

    [TestMethod]
    public void Transform_FromEightThreads_EqualsOneThread()
    {
        var mlContext = new MLContext(seed: 2);
        var data = TestData.View(mlContext, TestData.Rows(100));
        using var transformer = TestData.Fit(mlContext, data);
        transformer.ReadAheadRows = 16;
        var expected = TestData.Vectors(transformer.Transform(data)).Select(PersistenceTests.Bits).ToArray();
        using var start = new Barrier(8);

        var results = new string[8][];
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            results[t] = TestData.Vectors(transformer.Transform(data)).Select(PersistenceTests.Bits).ToArray();
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        for (var t = 0; t < 8; t++)
        {
            CollectionAssert.AreEqual(expected, results[t], $"thread {t}");
        }
    }
}
