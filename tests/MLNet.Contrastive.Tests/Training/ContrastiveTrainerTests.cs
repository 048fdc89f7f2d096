using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Training;

[TestClass]
public sealed class ContrastiveTrainerTests
{
    private static ContrastiveExample[] Examples(int count, int negatives, int seed)
    {
        var texts = TestData.Texts(count * (2 + negatives), seed, vocabulary: 30);
        return Enumerable.Range(0, count)
            .Select(i => new ContrastiveExample(texts[i * (2 + negatives)], texts[(i * (2 + negatives)) + 1], texts.Skip((i * (2 + negatives)) + 2).Take(negatives).ToArray()))
            .ToArray();
    }

    private static ContrastiveTrainer.Settings Options(int seed = 1) => new()
    {
        BatchSize = 4, Cache = new GradientCacheOptions { ChunkSize = 3 }, Epochs = 2, LearningRate = 1e-2, WarmupSteps = 1, Seed = seed,
    };

    private static float[] Weights(nn.Module module) =>
        module.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    [TestMethod]
    public void Train_ReportsOncePerStep_AndTrainsOnALastBatchOfTwo()
    {
        using var encoder = new TinyEncoder(seed: 1);
        var reports = new List<TrainingProgress>();
        var options = Options() with { Validation = epoch => epoch * 10.0 };
        var result = new ContrastiveTrainer(encoder, null, new InfoNceLoss(Temperature.Fixed(0.1)), options)
            .Train(Examples(10, 1, seed: 3), new SyncProgress(reports.Add));

        // 10 examples in batches of 4: 4 + 4 + 2 per epoch, 2 epochs.
        Assert.AreEqual(6, result.Steps);
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4, 5, 6 }, reports.Select(r => r.Step).ToArray());
        Assert.IsTrue(reports.All(r => r.TotalSteps == 6 && double.IsFinite(r.Loss) && r.ExamplesPerSecond > 0));
        CollectionAssert.AreEqual(new[] { 0.0, 10.0 }, result.ValidationScores.ToArray());
    }

    [TestMethod]
    public void Train_DropsALastBatchOfOne()
    {
        using var encoder = new TinyEncoder(seed: 1);
        var options = Options() with { Epochs = 1 };
        var result = new ContrastiveTrainer(encoder, null, new InfoNceLoss(Temperature.Fixed(0.1)), options).Train(Examples(9, 0, seed: 3));
        Assert.AreEqual(2, result.Steps);
    }

    [TestMethod]
    public void Train_LowersTheLoss_AndUpdatesALearnableTemperature()
    {
        using var encoder = new TinyEncoder(seed: 2);
        using var temperature = Temperature.Learnable(0.5);
        var options = Options() with { Epochs = 12, Schedule = LearningRateScheduleKind.Constant };
        var result = new ContrastiveTrainer(encoder, null, new InfoNceLoss(temperature), options).Train(Examples(8, 1, seed: 4));

        // 2 steps per epoch: the mean of the last epoch against the first.
        var first = result.Losses.Take(2).Average();
        var last = result.Losses.TakeLast(2).Average();
        Assert.IsTrue(last < 0.8 * first, $"loss {first} -> {last}");
        Assert.AreNotEqual(0.5, temperature.Value, 1e-3, "the optimizer must move the temperature");
    }

    [TestMethod]
    public void Train_SameSeedSameWeights_DifferentSeedDifferentWeights()
    {
        float[] Run(int seed)
        {
            using var encoder = new TinyEncoder(seed: 7, dropoutProbability: 0.1);
            new ContrastiveTrainer(encoder, null, new InfoNceLoss(Temperature.Fixed(0.1)), Options(seed)).Train(Examples(10, 1, seed: 5));
            return Weights(encoder);
        }

        var a = Run(1);
        var b = Run(1);
        var c = Run(2);
        CollectionAssert.AreEqual(a, b, "same seed");
        Assert.IsTrue(a.Zip(c).Max(p => Math.Abs(p.First - p.Second)) > 1e-4, "different seed");
    }

    [TestMethod]
    public void Train_NaNLoss_ThrowsAndKeepsTheLastGoodWeights()
    {
        using var encoder = new TinyEncoder(seed: 1);
        float[]? lastGood = null;
        var trainer = new ContrastiveTrainer(encoder, null, new InfoNceLoss(Temperature.Fixed(0.1)), Options());
        var progress = new SyncProgress(p =>
        {
            lastGood = Weights(encoder);
            if (p.Step == 2)
            {
                encoder.Poisoned = true; // the next forward returns NaN
            }
        });

        var e = Assert.ThrowsExactly<TrainingDivergedException>(() => trainer.Train(Examples(10, 1, seed: 3), progress));
        Assert.AreEqual(2, e.Step);
        Assert.IsTrue(double.IsNaN(e.Value));
        CollectionAssert.AreEqual(lastGood, Weights(encoder));
    }

    [TestMethod]
    public void Train_Cancelled_ThrowsOperationCanceled()
    {
        using var encoder = new TinyEncoder(seed: 1);
        using var source = new CancellationTokenSource();
        var steps = 0;
        var trainer = new ContrastiveTrainer(encoder, null, new InfoNceLoss(Temperature.Fixed(0.1)), Options());
        Assert.ThrowsExactly<OperationCanceledException>(() => trainer.Train(Examples(10, 1, seed: 3), new SyncProgress(_ =>
        {
            steps++;
            source.Cancel();
        }), source.Token));
        Assert.AreEqual(1, steps);
    }

    [TestMethod]
    public void Train_LeavesNoLiveTensorBehind()
    {
        using var encoder = new TinyEncoder(seed: 1, dropoutProbability: 0.1);
        using var temperature = Temperature.Learnable(0.1);
        var loss = new InfoNceLoss(temperature);
        var examples = Examples(10, 1, seed: 3);

        // Everything a run creates (batches, gradient wrappers, optimizer state) must be released when it returns.
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var result = new ContrastiveTrainer(encoder, null, loss, Options()).Train(examples);
        Assert.AreEqual(6, result.Steps);
        Assert.AreEqual(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [TestMethod]
    public void Train_BadInput_NamesTheParameter()
    {
        using var encoder = new TinyEncoder(seed: 1);
        var loss = new InfoNceLoss(Temperature.Fixed(0.1));
        var trainer = new ContrastiveTrainer(encoder, null, loss, Options());
        var mixed = Examples(3, 1, seed: 1).Append(Examples(1, 2, seed: 2)[0]).ToArray();
        Assert.AreEqual("examples", Assert.ThrowsExactly<ArgumentException>(() => trainer.Train(mixed)).ParamName);
        Assert.AreEqual("examples", Assert.ThrowsExactly<ArgumentException>(() => trainer.Train(Examples(1, 0, seed: 1))).ParamName);
        var options = Options() with { BatchSize = 1 };
        Assert.AreEqual("BatchSize", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ContrastiveTrainer(encoder, null, loss, options)).ParamName);
    }

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
