using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Training;
using MLNet.Contrastive.Training.Checkpoints;

namespace MLNet.Contrastive.Tests.Training.Checkpoints;

/// <summary>
/// Checkpoints of the trainer, in one process: a run stopped at a step and resumed from its checkpoint ends with the
/// weights and losses of a run that never stopped, bit for bit; a checkpoint of another run is refused naming what
/// differs; a damaged checkpoint is skipped for the previous one; a failed write keeps the previous checkpoint.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class CheckpointTests
{
    private static readonly ContrastiveExample[] Examples = MakeExamples(14, seed: 3);
    private string directory = string.Empty;

    [TestInitialize]
    public void CreateFolder() => directory = Directory.CreateTempSubdirectory("checkpoints-").FullName;

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(directory, recursive: true);

    [TestMethod]
    [DataRow(1)]
    [DataRow(5)]
    [DataRow(7)]
    public void Train_StoppedAtAStepAndResumed_EndsBitIdenticalToARunThatNeverStopped(int stopAfter)
    {
        var (expectedWeights, expectedLosses) = Train(Settings(checkpoints: null));

        // 14 examples in batches of 4 are 4 steps an epoch (the last of 2 rows), 3 epochs: 12 steps; 5 and 7 stop inside an epoch.
        var first = Assert.ThrowsExactly<OperationCanceledException>(() => Train(Settings(Every(1)), stopAfterStep: stopAfter));
        StringAssert.Contains(first.Message, $"before step {stopAfter}");
        var reports = new List<TrainingProgress>();
        var (weights, losses) = Train(Settings(Every(1)), reports: reports);

        CollectionAssert.AreEqual(expectedWeights, weights, "the resumed run's weights, bit for bit");
        CollectionAssert.AreEqual(expectedLosses, losses, "the loss of every step, those before the checkpoint included");
        Assert.AreEqual(stopAfter + 1, reports[0].Step);
        Assert.IsTrue(reports.All(r => r.ResumedFromStep == stopAfter), "every report says where the run resumed");
        Assert.HasCount(2, CheckpointFiles(), "CheckpointsToKeep = 2 (the default)");
    }

    [TestMethod]
    public void Train_ResumedAtTheLastStep_TrainsNothingMoreAndReturnsTheWholeRun()
    {
        var (expectedWeights, expectedLosses) = Train(Settings(Every(1)));
        var reports = new List<TrainingProgress>();

        var (weights, losses) = Train(Settings(Every(1)), reports: reports);

        Assert.IsEmpty(reports, "no step left to train");
        CollectionAssert.AreEqual(expectedWeights, weights);
        CollectionAssert.AreEqual(expectedLosses, losses);
    }

    [TestMethod]
    public void Resume_CheckpointOfOtherSettingsOrData_IsRefusedNamingWhatDiffers_OrIgnoredWhenAsked()
    {
        Assert.ThrowsExactly<OperationCanceledException>(() => Train(Settings(Every(1)), stopAfterStep: 3));
        var written = CheckpointFiles();

        var settings = Assert.ThrowsExactly<InvalidOperationException>(() => Train(Settings(Every(1)) with { BatchSize = 5, LearningRate = 2e-2 }));
        StringAssert.Contains(settings.Message, "BatchSize: 4 in the checkpoint, 5 now");
        StringAssert.Contains(settings.Message, "LearningRate: 0.01 in the checkpoint, 0.02 now");
        StringAssert.Contains(settings.Message, written[^1]);
        var data = Assert.ThrowsExactly<InvalidOperationException>(() => Train(Settings(Every(1)), examples: MakeExamples(14, seed: 4)));
        StringAssert.Contains(data.Message, "the training data");
        StringAssert.Contains(data.Message, "IgnoreIncompatibleCheckpoints");

        // Ignored: this run starts from the beginning (as if there were no checkpoint) and leaves the other run's files.
        var fresh = Train(Settings(checkpoints: null) with { BatchSize = 5 });
        var warnings = new List<string>();
        var ignored = Train(Settings(Every(1) with { IgnoreIncompatible = true, Warning = warnings.Add }) with { BatchSize = 5 });
        CollectionAssert.AreEqual(fresh.Weights, ignored.Weights);
        StringAssert.Contains(warnings.Single(), "another run");
        Assert.IsTrue(written.All(File.Exists), "the other run's checkpoints are kept");
    }

    [TestMethod]
    [DataRow("truncated")]
    [DataRow("flipped")]
    public void Resume_NewestCheckpointDamaged_ResumesFromThePreviousAndNamesTheFile(string damage)
    {
        var (expectedWeights, expectedLosses) = Train(Settings(checkpoints: null));
        Assert.ThrowsExactly<OperationCanceledException>(() => Train(Settings(Every(1)), stopAfterStep: 6));
        var newest = CheckpointFiles()[^1];
        var bytes = File.ReadAllBytes(newest);
        if (damage == "truncated")
        {
            File.WriteAllBytes(newest, bytes[..(bytes.Length / 2)]);
        }
        else
        {
            bytes[bytes.Length / 2] ^= 0x10;
            File.WriteAllBytes(newest, bytes);
        }

        var warnings = new List<string>();
        var reports = new List<TrainingProgress>();
        var (weights, losses) = Train(Settings(Every(1) with { Warning = warnings.Add }), reports: reports);

        StringAssert.Contains(warnings.Single(), newest);
        StringAssert.Contains(warnings.Single(), damage == "truncated" ? "truncated" : "checksum");
        Assert.AreEqual(5, reports[0].ResumedFromStep, "the checkpoint before the damaged one");
        CollectionAssert.AreEqual(expectedWeights, weights);
        CollectionAssert.AreEqual(expectedLosses, losses);
    }

    [TestMethod]
    public void Save_DiskFull_KeepsThePreviousCheckpointAndFailsNamingTheFolder()
    {
        // The third checkpoint's write fails after 1 kB, as a full disk does.
        var writes = 0;
        var full = Every(1) with { Create = path => ++writes == 3 ? new FullDisk(path, 1024) : File.Create(path) };
        var error = Assert.ThrowsExactly<IOException>(() => Train(Settings(full)));

        StringAssert.Contains(error.Message, directory);
        StringAssert.Contains(error.Message, "No space left on device");
        StringAssert.Contains(error.Message, "is intact");
        Assert.IsEmpty(Directory.GetFiles(directory, "*.tmp"), "no temporary file is left behind");
        var kept = CheckpointFiles();
        Assert.HasCount(2, kept);
        StringAssert.EndsWith(kept[^1], "000000002.ckpt");

        // The next Fit resumes from the intact checkpoint and ends as a run that never stopped.
        var reports = new List<TrainingProgress>();
        var (weights, _) = Train(Settings(Every(1)), reports: reports);
        Assert.AreEqual(2, reports[0].ResumedFromStep);
        CollectionAssert.AreEqual(Train(Settings(checkpoints: null)).Weights, weights);
    }

    [TestMethod]
    public void Save_FolderBecomesReadOnly_KeepsThePreviousCheckpointAndFailsNamingTheFolder()
    {
        // Before the third checkpoint the folder turns immutable (chattr +i: nothing can be created, renamed or deleted
        // in it, root included), as a remount read-only or a revoked permission would.
        var writes = 0;
        var readOnly = Every(1) with
        {
            Create = path =>
            {
                if (++writes == 3)
                {
                    ImmutableFlag.Set(directory, true);
                }

                return File.Create(path);
            },
        };
        try
        {
            var error = Assert.ThrowsExactly<IOException>(() => Train(Settings(readOnly)));
            StringAssert.Contains(error.Message, directory);
            StringAssert.Contains(error.Message, "is intact");
        }
        finally
        {
            ImmutableFlag.Set(directory, false);
        }

        var kept = CheckpointFiles();
        Assert.HasCount(2, kept);
        StringAssert.EndsWith(kept[^1], "000000002.ckpt");
        var reports = new List<TrainingProgress>();
        var (weights, _) = Train(Settings(Every(1)), reports: reports);
        Assert.AreEqual(2, reports[0].ResumedFromStep);
        CollectionAssert.AreEqual(Train(Settings(checkpoints: null)).Weights, weights);
    }

    [TestMethod]
    public void Settings_InvalidCheckpointSetting_NamesTheOption()
    {
        string ParamNameOf(CheckpointSettings checkpoints) =>
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => (Settings(checkpoints)).Validate()).ParamName!;

        Assert.AreEqual("CheckpointEverySteps", ParamNameOf(Every(0)));
        Assert.AreEqual("CheckpointEveryMinutes", ParamNameOf(Every(1) with { EveryMinutes = -1 }));
        Assert.AreEqual("CheckpointsToKeep", ParamNameOf(Every(1) with { Keep = 0 }));
        var neither = Assert.ThrowsExactly<ArgumentException>(() => Settings(Every(1) with { EverySteps = null, EveryMinutes = null }).Validate());
        Assert.AreEqual("CheckpointEverySteps", neither.ParamName);
    }

    private CheckpointSettings Every(int steps) => new() { Directory = directory, EverySteps = steps, EveryMinutes = null };

    private static ContrastiveTrainer.Settings Settings(CheckpointSettings? checkpoints) => new()
    {
        BatchSize = 4, Epochs = 3, LearningRate = 1e-2, WarmupSteps = 2, Seed = 5, Cache = new GradientCacheOptions { ChunkSize = 3 },
        Checkpoints = checkpoints,
    };

    private string[] CheckpointFiles() => Directory.GetFiles(directory, "checkpoint-*.ckpt").Order(StringComparer.Ordinal).ToArray();

    // One run from the same starting weights (dropout on, a learnable temperature); its weights as bits and its losses.
    private static (int[] Weights, double[] Losses) Train(
        ContrastiveTrainer.Settings settings, int? stopAfterStep = null, List<TrainingProgress>? reports = null, ContrastiveExample[]? examples = null)
    {
        using var encoder = new TinyEncoder(seed: 1, dropoutProbability: 0.1);
        using var temperature = Temperature.Learnable(0.1);
        using var stop = new CancellationTokenSource();
        var progress = new SyncProgress(p =>
        {
            reports?.Add(p);
            if (p.Step == stopAfterStep)
            {
                stop.Cancel();
            }
        });
        var result = new ContrastiveTrainer(encoder, null, new InfoNceLoss(temperature), settings).Train(examples ?? Examples, progress, stop.Token);
        var weights = encoder.parameters().Concat(temperature.parameters())
            .SelectMany(p => p.detach().cpu().data<float>().ToArray()).Select(BitConverter.SingleToInt32Bits).ToArray();
        return (weights, result.Losses.ToArray());
    }

    private static ContrastiveExample[] MakeExamples(int count, int seed)
    {
        var texts = TestData.Texts(count * 2, seed);
        return Enumerable.Range(0, count).Select(i => new ContrastiveExample(texts[2 * i], texts[(2 * i) + 1], [])).ToArray();
    }

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    // A file that takes `capacity` bytes, then fails as a full disk does.
    private sealed class FullDisk(string path, int capacity) : FileStream(path, FileMode.CreateNew)
    {
        private long written;

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (written + buffer.Length > capacity)
            {
                throw new IOException("No space left on device");
            }

            written += buffer.Length;
            base.Write(buffer);
        }
    }
}
