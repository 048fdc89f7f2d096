namespace MLNet.Contrastive.Tests.Training.Distributed;

/// <summary>
/// Data-parallel training under the real launcher (mpiexec.hydra, 2 and 3 ranks), against one process. Tolerances:
/// the gathered embeddings are the bits one process computes, so the loss agrees exactly (1e-12 allows nothing but
/// printing); gradients are sums of the same chunk shares in another order, so 1e-5 relative (float32 rounding).
/// </summary>
[TestClass]
public sealed class MpiTrainingTests
{
    private const double GradientTolerance = 1e-5;

    private static readonly string[] Cases = ["infonce", "symmetric", "dcl", "hard-negatives", "groups", "indivisible", "fewer-chunks-than-ranks"];

    [TestMethod]
    [DataRow(2)]
    [DataRow(3)]
    public void Step_UnderMpiexec_EqualsOneProcessStepOnTheGlobalBatch(int ranks)
    {
        var job = MpiJob.Run(ranks, "step");
        Assert.AreEqual(0, job.ExitCode, job.Output);
        var lines = MpiJob.Lines(job.Output, "STEP");
        Assert.HasCount(Cases.Length * ranks, lines, job.Output);
        foreach (var name in Cases)
        {
            var rows = lines.Where(l => l["case"] == name).ToList();
            CollectionAssert.AreEquivalent(Enumerable.Range(0, ranks).Select(r => r.ToString()).ToList(), rows.Select(l => l["rank"]).ToList(), name);
            foreach (var line in rows)
            {
                var loss = MpiJob.Number(line, "loss");
                var reference = MpiJob.Number(line, "reference");
                Assert.IsTrue(double.IsFinite(loss) && loss > 0, $"{name}: loss {loss}");
                Assert.AreEqual(reference, loss, 1e-12 * reference, $"{name}, rank {line["rank"]}: loss");
                Assert.IsLessThanOrEqualTo(GradientTolerance, MpiJob.Number(line, "gradient_error"), $"{name}, rank {line["rank"]}: gradient error");
            }

            // Every chunk is encoded by exactly one rank (round-robin).
            Assert.AreEqual(MpiJob.Number(rows[0], "query_chunks"), rows.Sum(l => MpiJob.Number(l, "owned_query_chunks")), name);
        }

        // One query chunk for several ranks: the others own none and still end with the full gradient (checked above).
        Assert.AreEqual(ranks - 1, lines.Count(l => l["case"] == "fewer-chunks-than-ranks" && l["owned_query_chunks"] == "0"));
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(3)]
    public void Train_ThreeSteps_SameWeightsOnEveryRankAsInOneProcess(int ranks)
    {
        var job = MpiJob.Run(ranks, "train");
        Assert.AreEqual(0, job.ExitCode, job.Output);
        var lines = MpiJob.Lines(job.Output, "TRAIN").Where(l => l.ContainsKey("checksum")).ToList();
        Assert.HasCount(ranks, lines, job.Output);
        Assert.IsTrue(lines.All(l => l["steps"] == "3"), job.Output);

        // Bit-identical weights on every rank (the trainer also checks this itself and would have aborted).
        Assert.AreEqual(1, lines.Select(l => l["checksum"]).Distinct().Count(), job.Output);

        // Against the same three steps in one process: float32 rounding of the gradient sums, carried through AdamW.
        foreach (var line in lines)
        {
            Assert.IsLessThanOrEqualTo(1e-5, MpiJob.Number(line, "weight_difference"), job.Output);
            var losses = line["losses"].Split(';').Select(double.Parse).ToArray();
            var reference = line["reference_losses"].Split(';').Select(double.Parse).ToArray();
            Assert.AreEqual(reference[0], losses[0], "the first step's loss is exact");
            for (var i = 1; i < losses.Length; i++)
            {
                Assert.AreEqual(reference[i], losses[i], 1e-5 * reference[i], $"step {i + 1}'s loss");
            }
        }
    }

    [TestMethod]
    public void Fit_UnderMpiexecWithAuto_SameEmbeddingsOnEveryRankAsOneProcess_ProgressOnRankZeroOnly()
    {
        var job = MpiJob.Run(2, "fit");
        Assert.AreEqual(0, job.ExitCode, job.Output);
        var lines = MpiJob.Lines(job.Output, "FIT").OrderBy(l => l["rank"]).ToList();
        Assert.HasCount(2, lines, job.Output);
        Assert.IsTrue(lines.All(l => l["size"] == "2" && l["rank"] == l["launcher_rank"] && l["steps"] == "4" && l["mpi_loaded"] == "True"), job.Output);
        Assert.AreEqual(lines[0]["embedding"], lines[1]["embedding"], "bit-identical embeddings on both ranks");
        Assert.AreEqual("4", lines[0]["reports"], "rank 0 reports every step");
        Assert.AreEqual("0", lines[1]["reports"], "other ranks report nothing");

        // Without a launcher the default (Auto) trains in one process and loads no MPI library.
        var plain = MpiJob.Run(0, "fit-single");
        Assert.AreEqual(0, plain.ExitCode, plain.Output);
        var single = MpiJob.Lines(plain.Output, "FIT").Single();
        Assert.AreEqual("False", single["mpi_loaded"], plain.Output);
        Assert.AreEqual("4", single["reports"]);

        // The same 4 steps: float32 rounding of the gradient sums carried through AdamW (the vectors are L2-normalised).
        var distributed = lines[0]["embedding"].Split(';').Select(double.Parse).ToArray();
        var reference = single["embedding"].Split(';').Select(double.Parse).ToArray();
        Assert.HasCount(reference.Length, distributed);
        Assert.IsLessThanOrEqualTo(1e-5, distributed.Zip(reference).Max(p => Math.Abs(p.First - p.Second)));
    }

    [TestMethod]
    public void Train_RankThrows_JobEndsWithin10SecondsWithItsError()
    {
        var job = MpiJob.Run(3, "throw", timeoutSeconds: 60);
        Assert.AreNotEqual(0, job.ExitCode, job.Output);
        StringAssert.Contains(job.Output, "deliberate failure on rank 1", job.Output);
        StringAssert.Contains(job.Output, "[rank 1/3] distributed training failed", job.Output);
        var thrown = MpiJob.Lines(job.Output, "THROW").Single();
        var seconds = (job.ExitedAtUnixMs - long.Parse(thrown["at_unix_ms"])) / 1000.0;
        Assert.IsLessThan(10.0, seconds, $"the job took {seconds} s to end after rank 1 threw:\n{job.Output}");
        Assert.IsFalse(job.Output.Contains("finished", StringComparison.Ordinal), "no rank may finish training");
    }

    [TestMethod]
    public void Train_RankCancels_EveryRankStopsBeforeTheSameStep_AndTheJobEndsCleanly()
    {
        var job = MpiJob.Run(3, "cancel", timeoutSeconds: 60);

        // No MPI_Abort: every rank leaves Train with OperationCanceledException and the processes end normally.
        Assert.AreEqual(0, job.ExitCode, job.Output);
        Assert.IsFalse(job.Output.Contains("aborting the MPI job", StringComparison.Ordinal), job.Output);
        var cancelled = MpiJob.Lines(job.Output, "CANCELLED");
        CollectionAssert.AreEquivalent(new[] { "0", "1", "2" }, cancelled.Select(l => l["rank"]).ToArray(), job.Output);

        // 24 examples in batches of 8: the first epoch is steps 0-2, so every rank stops before step 3; only rank 1 was asked to.
        Assert.IsTrue(cancelled.All(l => l["message"] == "Training_was_cancelled_before_step_3."), job.Output);
        CollectionAssert.AreEquivalent(new[] { "1" }, cancelled.Where(l => l["own_token"] == "True").Select(l => l["rank"]).ToArray(), job.Output);
        Assert.IsFalse(job.Output.Contains("finished", StringComparison.Ordinal), "no rank may finish training");
    }
}
