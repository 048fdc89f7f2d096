using MLNet.Contrastive.Losses;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Losses;

[TestClass]
public sealed class LossValidationTests
{
    private static readonly InfoNceLoss Loss = new(Temperature.Fixed(0.1));

    [TestMethod]
    public void Forward_WrongDocumentCount_NamesDocuments()
    {
        using var q = zeros(2, 3);
        using var d = zeros(3, 3);
        var e = Assert.ThrowsExactly<ArgumentException>(() => Loss.Forward(q, d, 0));
        Assert.AreEqual("documents", e.ParamName);
    }

    [TestMethod]
    public void Forward_NegativeK_NamesNegativesPerQuery()
    {
        using var q = zeros(2, 3);
        using var d = zeros(2, 3);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Loss.Forward(q, d, -1));
        Assert.AreEqual("negativesPerQuery", e.ParamName);
    }

    [TestMethod]
    public void Forward_GroupsOfWrongLength_NamesGroups()
    {
        using var q = zeros(2, 3);
        using var d = zeros(2, 3);
        var e = Assert.ThrowsExactly<ArgumentException>(() => Loss.Forward(q, d, 0, new long[] { 1 }));
        Assert.AreEqual("groups", e.ParamName);
    }

    [TestMethod]
    public void Dcl_RowWithoutNegative_NamesGroups()
    {
        using var q = zeros(2, 3);
        using var d = zeros(2, 3);
        var dcl = new DecoupledContrastiveLoss(Temperature.Fixed(0.1));
        var e = Assert.ThrowsExactly<ArgumentException>(() => dcl.Forward(q, d, 0, new long[] { 4, 4 }));
        Assert.AreEqual("groups", e.ParamName);
    }

    [TestMethod]
    public void InfoNce_EveryRowInOneGroup_RefusesLikeDcl()
    {
        using var q = ones(3, 4);
        using var d = ones(3, 4);

        // Every negative masked: InfoNCE would return an exact 0 and learn nothing; it refuses, as DCL does.
        var e = Assert.ThrowsExactly<ArgumentException>(() => Loss.Forward(q, d, 0, new long[] { 4, 4, 4 }));
        Assert.AreEqual("groups", e.ParamName);
        StringAssert.Contains(e.Message, "no negative");
        var b = Assert.ThrowsExactly<ArgumentException>(() => Loss.ForwardBackward(q, d, 0, new long[] { 4, 4, 4 }));
        Assert.AreEqual("groups", b.ParamName);
    }

    [TestMethod]
    public void Temperature_NotPositive_NamesValue()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Temperature.Fixed(0));
        Assert.AreEqual("value", e.ParamName);
        var l = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Temperature.Learnable(0.001));
        Assert.AreEqual("initialValue", l.ParamName);
    }

    [TestMethod]
    public void RowChunkSize_Zero_Throws()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new InfoNceLoss(Temperature.Fixed(0.1)) { RowChunkSize = 0 });
        Assert.AreEqual("RowChunkSize", e.ParamName);
    }
}
