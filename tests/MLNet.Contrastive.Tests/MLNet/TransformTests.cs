using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.MLNet;

namespace MLNet.Contrastive.Tests.MLNet;

[TestClass]
public sealed class TransformTests
{
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
