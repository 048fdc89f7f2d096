using MLNet.Contrastive.Training;

namespace MLNet.Contrastive.Tests.Training;

/// <summary>Schedule factors against the formulas written out by hand; 1e-12 is double rounding.</summary>
[TestClass]
public sealed class LearningRateScheduleTests
{
    private const double Tolerance = 1e-12;

    [TestMethod]
    public void Warmup_RisesLinearlyToThePeak()
    {
        var schedule = new LearningRateSchedule(LearningRateScheduleKind.Linear, warmupSteps: 4, totalSteps: 14);
        Assert.AreEqual(1.0 / 5, schedule.Factor(0), Tolerance);
        Assert.AreEqual(4.0 / 5, schedule.Factor(3), Tolerance);
        Assert.AreEqual(1.0, schedule.Factor(4), Tolerance);
    }

    [TestMethod]
    public void Linear_DecaysToZeroAtTheLastStep()
    {
        var schedule = new LearningRateSchedule(LearningRateScheduleKind.Linear, warmupSteps: 4, totalSteps: 14);
        Assert.AreEqual(1 - (3.0 / 10), schedule.Factor(7), Tolerance);
        Assert.AreEqual(1 - (9.0 / 10), schedule.Factor(13), Tolerance);
    }

    [TestMethod]
    public void Cosine_FollowsTheHalfCosine()
    {
        var schedule = new LearningRateSchedule(LearningRateScheduleKind.Cosine, warmupSteps: 2, totalSteps: 10);
        Assert.AreEqual(1.0, schedule.Factor(2), Tolerance);
        Assert.AreEqual(0.5, schedule.Factor(6), Tolerance); // halfway: (1 + cos(pi/2)) / 2
        Assert.AreEqual(0.5 * (1 + Math.Cos(Math.PI * 6 / 8)), schedule.Factor(8), Tolerance);
    }

    [TestMethod]
    public void Constant_StaysAtThePeak()
    {
        var schedule = new LearningRateSchedule(LearningRateScheduleKind.Constant, warmupSteps: 0, totalSteps: 5);
        Assert.AreEqual(1.0, schedule.Factor(0), Tolerance);
        Assert.AreEqual(1.0, schedule.Factor(4), Tolerance);
    }

    [TestMethod]
    public void TotalNotAboveWarmup_NamesTotalSteps()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new LearningRateSchedule(LearningRateScheduleKind.Linear, 5, 5));
        Assert.AreEqual("totalSteps", e.ParamName);
    }
}
