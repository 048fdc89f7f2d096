using System.Globalization;
using Microsoft.ML;
using MLNet.Contrastive.Tests.Training.Distributed;

namespace MLNet.Contrastive.Tests.Transforms;

/// <summary>
/// Checkpoints through the estimator, in child processes (tests/MLNet.Contrastive.MpiCheck, scenario "checkpoint": 24
/// pairs, batches of 6, 3 epochs = 12 steps, a checkpoint after every step): a Fit killed with SIGKILL and run again,
/// and a data-parallel Fit stopped and run again, end with the embeddings of a Fit that never stopped, bit for bit.
/// </summary>
[TestClass]
public sealed class CheckpointFitTests
{
    private const int Steps = 12;

    [TestMethod]
    public void Fit_KilledAtARandomStepAndRunAgain_EndsBitIdenticalToAnUninterruptedFit()
    {
        var directory = Directory.CreateTempSubdirectory("fit-checkpoints-").FullName;
        try
        {
            var reference = Done(MpiJob.Run(0, ["checkpoint", "-"], 120)).Single();

            // SIGKILL when a step is reported: its checkpoint may be half written, or not begun.
            var kill = Random.Shared.Next(2, Steps - 1);
            Console.WriteLine($"killing at step {kill}");
            var killed = MpiJob.Run(0, ["checkpoint", directory], 120, line => line.StartsWith($"STEP rank=0 step={kill} ", StringComparison.Ordinal));
            Assert.IsTrue(killed.Killed, killed.Output);
            Assert.IsEmpty(MpiJob.Lines(killed.Output, "DONE"), killed.Output);

            var again = MpiJob.Run(0, ["checkpoint", directory], 120);
            var resumed = Done(again).Single();
            var firstStep = MpiJob.Lines(again.Output, "STEP")[0];

            // The kill lands once the parent has read the line: the child may have finished a step or two more by then.
            var from = int.Parse(resumed["resumed"], CultureInfo.InvariantCulture);
            Assert.IsTrue(from >= kill - 1 && from < Steps, $"resumed from {from} after a kill at step {kill}:\n{again.Output}");
            Assert.AreEqual(from + 1, int.Parse(firstStep["step"]), "progress goes on from the resumed step");
            Assert.AreEqual(Steps.ToString(), resumed["steps"]);
            Assert.AreEqual(reference["losses"], resumed["losses"], "the same loss curve, to the last bit");
            Assert.AreEqual(reference["embedding"], resumed["embedding"], "the same weights, to the last bit");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void Fit_UnderMpiexecStoppedAndRunAgain_EveryRankResumesToTheUninterruptedWeights()
    {
        var directory = Directory.CreateTempSubdirectory("mpi-checkpoints-").FullName;
        try
        {
            var reference = Done(MpiJob.Run(2, ["checkpoint", "-"], 120));

            // Stopped (an agreed cancellation) before step 5: rank 0 wrote the checkpoint of step 4 for the job.
            var stopped = MpiJob.Run(2, ["checkpoint", directory, "5"], 120);
            Assert.AreEqual(0, stopped.ExitCode, stopped.Output);
            Assert.HasCount(2, MpiJob.Lines(stopped.Output, "STOPPED"), stopped.Output);

            var again = Done(MpiJob.Run(2, ["checkpoint", directory], 120));

            Assert.AreEqual("4", again.Single(l => l["rank"] == "0")["resumed"], "rank 0 reports the resumed step");
            Assert.HasCount(2, again);
            Assert.IsTrue(again.All(l => l["embedding"] == reference[0]["embedding"] && l["losses"] == reference[0]["losses"]),
                $"every rank ends with the weights of the uninterrupted job:\n{string.Join('\n', again.Select(l => l["embedding"]))}\n{reference[0]["embedding"]}");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void Constructor_InvalidCheckpointOption_NamesIt()
    {
        var options = TestData.Options();
        options.CheckpointDirectory = Path.GetTempPath();
        options.CheckpointEverySteps = 0;

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext().Transforms.ContrastiveEmbedding(options));

        Assert.AreEqual(nameof(options.CheckpointEverySteps), error.ParamName);
    }

    private static List<Dictionary<string, string>> Done(MpiJob.Result job)
    {
        Assert.AreEqual(0, job.ExitCode, job.Output);
        var done = MpiJob.Lines(job.Output, "DONE");
        Assert.IsNotEmpty(done, job.Output);
        return done;
    }
}
