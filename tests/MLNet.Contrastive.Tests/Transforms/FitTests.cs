using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Transforms;

[TestClass]
public sealed class FitTests
{
    /// <summary>Reports synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class ListProgress(Action<ContrastiveTrainingProgress>? onReport = null) : IProgress<ContrastiveTrainingProgress>
    {
        public List<ContrastiveTrainingProgress> Reports { get; } = new();

        public void Report(ContrastiveTrainingProgress value)
        {
            Reports.Add(value);
            onReport?.Invoke(value);
        }
    }

    [TestMethod]
    public void Fit_SameContextSeed_SameVectors_OtherSeed_OtherVectors()
    {
        float[][] Run(int seed)
        {
            var mlContext = new MLContext(seed: seed);
            var data = TestData.View(mlContext, TestData.Rows(8));
            using var transformer = TestData.Fit(mlContext, data);
            return TestData.Vectors(transformer.Transform(data));
        }

        var first = Run(11);
        var second = Run(11);
        var other = Run(12);

        CollectionAssert.AreEqual(first.Select(PersistenceTests.Bits).ToArray(), second.Select(PersistenceTests.Bits).ToArray());
        Assert.AreNotEqual(PersistenceTests.Bits(first[0]), PersistenceTests.Bits(other[0]));
    }

    [TestMethod]
    public void Fit_SeedOption_OverridesContextSeed()
    {
        float[] Run(int contextSeed)
        {
            var mlContext = new MLContext(seed: contextSeed);
            var data = TestData.View(mlContext, TestData.Rows(4));
            var options = TestData.Options();
            options.Seed = 77;
            using var transformer = mlContext.Transforms.ContrastiveEmbedding(options).Fit(data);
            return TestData.Vectors(transformer.Transform(data))[0];
        }

        Assert.AreEqual(PersistenceTests.Bits(Run(1)), PersistenceTests.Bits(Run(2)));
    }

    [TestMethod]
    public void Fit_ReportsEveryStep_ToProgressAndToTheLog()
    {
        var mlContext = new MLContext(seed: 1);
        var log = new List<string>();
        mlContext.Log += (_, e) => { lock (log) { log.Add(e.Message); } };
        var progress = new ListProgress();
        var options = TestData.Options();
        options.BatchSize = 4;
        options.Epochs = 2;
        options.Progress = progress;

        using var transformer = mlContext.Transforms.ContrastiveEmbedding(options).Fit(TestData.View(mlContext, TestData.Rows(10)));

        // 10 rows in batches of 4 = 3 steps per epoch, 2 epochs.
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4, 5, 6 }, progress.Reports.Select(r => r.Step).ToArray());
        CollectionAssert.AreEqual(new[] { 1, 1, 1, 2, 2, 2 }, progress.Reports.Select(r => r.Epoch).ToArray());
        Assert.IsTrue(progress.Reports.All(r => r.TotalSteps == 6));
        lock (log)
        {
            Assert.IsTrue(log.Any(m => m.Contains("Read 10 training examples", StringComparison.Ordinal)), string.Join("\n", log));
        }
    }

    [TestMethod]
    public void Fit_CancelledMidway_ThrowsAndStopsAtTheNextStep()
    {
        var mlContext = new MLContext(seed: 1);
        using var cancellation = new CancellationTokenSource();
        var progress = new ListProgress(report =>
        {
            if (report.Step == 2)
            {
                cancellation.Cancel();
            }
        });
        var options = TestData.Options();
        options.BatchSize = 2;
        options.Progress = progress;
        options.CancellationToken = cancellation.Token;
        var estimator = mlContext.Transforms.ContrastiveEmbedding(options);
        ContrastiveEmbeddingTransformer? model = null;

        Assert.Throws<OperationCanceledException>(() => model = estimator.Fit(TestData.View(mlContext, TestData.Rows(20))));

        Assert.IsNull(model);
        Assert.HasCount(2, progress.Reports, "no step runs after the cancellation");
    }

    [TestMethod]
    public void Estimator_CopiesOptions_LaterChangesHaveNoEffect()
    {
        var mlContext = new MLContext(seed: 1);
        var options = TestData.Options(dimension: 6);
        var estimator = mlContext.Transforms.ContrastiveEmbedding(options);
        options.EmbeddingDimension = 9;
        options.AnchorColumnName = "Changed";

        using var transformer = estimator.Fit(TestData.View(mlContext, TestData.Rows(4)));

        Assert.AreEqual(6, transformer.Dimension);
    }

    [TestMethod]
    public void Fit_WithValidationData_ReportsRecallAt1PerEpoch_ThatMatchesTheFinalVectors()
    {
        var mlContext = new MLContext(seed: 5);
        var options = TestData.Options();
        options.Epochs = 2;
        options.ValidationData = TestData.View(mlContext, TestData.Rows(12, seed: 9));
        options.Columns = new[]
        {
            new InputOutputColumnPair("AnchorVector", nameof(PairRow.Anchor)),
            new InputOutputColumnPair("PositiveVector", nameof(PairRow.Positive)),
        };

        using var transformer = mlContext.Transforms.ContrastiveEmbedding(options).Fit(TestData.View(mlContext, TestData.Rows(16)));

        var summary = transformer.TrainingSummary!;
        Assert.HasCount(2, summary.ValidationRecallAt1);
        Assert.AreEqual(16, summary.Examples);
        Assert.HasCount(summary.Steps, summary.Losses);

        // The last epoch's score was computed with the final weights: recompute it from the transformer's own vectors.
        var view = transformer.Transform(options.ValidationData);
        var anchors = TestData.Vectors(view, "AnchorVector");
        var positives = TestData.Vectors(view, "PositiveVector");
        var hits = 0;
        for (var i = 0; i < anchors.Length; i++)
        {
            var best = Enumerable.Range(0, positives.Length).MaxBy(j => Cosine(anchors[i], positives[j]));
            hits += best == i ? 1 : 0;
        }

        Assert.AreEqual((double)hits / anchors.Length, summary.ValidationRecallAt1[^1], 1e-9);
    }

    [TestMethod]
    public void Fit_ZeroEpochs_EmbedsWithTheWeightsTrainingStartsFrom()
    {
        float[][] Run(int epochs, double learningRate, ListProgress? progress = null)
        {
            var mlContext = new MLContext(seed: 21);
            var data = TestData.View(mlContext, TestData.Rows(8));
            var options = TestData.Options();
            options.Epochs = epochs;
            options.LearningRate = learningRate;
            options.Progress = progress;
            options.Dropout = 0;
            using var transformer = mlContext.Transforms.ContrastiveEmbedding(options).Fit(data);
            Assert.AreEqual(epochs == 0 ? 0 : 1, transformer.TrainingSummary!.Steps);
            return TestData.Vectors(transformer.Transform(data));
        }

        var progress = new ListProgress();
        var initial = Run(0, 5e-4, progress);
        var barelyTrained = Run(1, 1e-12);
        var trained = Run(1, 5e-4);

        Assert.IsEmpty(progress.Reports, "no step, no progress report");
        // A step of 1e-12 leaves the weights where they started (AdamW moves each weight by about the learning rate).
        for (var i = 0; i < initial.Length; i++)
        {
            TestData.AssertSameEmbedding(initial[i], barelyTrained[i], $"row {i}");
        }

        Assert.IsGreaterThan(1e-3f, initial[0].Zip(trained[0], (a, b) => Math.Abs(a - b)).Max(), "one real step moves the vectors");
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }
}
