using MLNet.Contrastive.Losses;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Losses;

/// <summary>
/// Loss values on hand-computable unit vectors, checked against formulas written out with Math.Exp/Math.Log.
/// Tolerance 1e-5: the loss runs in float32 (about 7 significant digits) on values of order 1.
/// </summary>
[TestClass]
public sealed class LossValueTests
{
    private const double Tolerance = 1e-5;

    // q0 = e1, q1 = e2; d0 = e1 (positive of q0), d1 = (0.6, 0.8) (positive of q1).
    // s(q_i, d_j): s00 = 1, s01 = 0.6, s10 = 0, s11 = 0.8. Temperature 0.5 doubles them.
    private static (Tensor Queries, Tensor Documents) TwoPairs() =>
        (tensor(new float[] { 1, 0, 0, 1 }, 2, 2), tensor(new float[] { 1, 0, 0.6f, 0.8f }, 2, 2));

    private static double Lse(params double[] xs) => Math.Log(xs.Sum(Math.Exp));

    private static double Value(ContrastiveLoss loss, Tensor q, Tensor d, int k = 0, long[]? groups = null)
    {
        using var value = loss.Forward(q, d, k, groups);
        return value.item<float>();
    }

    [TestMethod]
    public void InfoNce_OneWay_MatchesHandComputedValue()
    {
        var (q, d) = TwoPairs();
        var expected = ((-2 + Lse(2, 1.2)) + (-1.6 + Lse(0, 1.6))) / 2;
        Assert.AreEqual(expected, Value(new InfoNceLoss(Temperature.Fixed(0.5)), q, d), Tolerance);
    }

    [TestMethod]
    public void InfoNce_Symmetric_AveragesBothDirections()
    {
        var (q, d) = TwoPairs();
        var forward = ((-2 + Lse(2, 1.2)) + (-1.6 + Lse(0, 1.6))) / 2;
        // Positive d0 against queries: [s(d0,q0), s(d0,q1)] = [1, 0]; d1: [0.6, 0.8]; target the own query.
        var backward = ((-2 + Lse(2, 0)) + (-1.6 + Lse(1.2, 1.6))) / 2;
        var loss = new InfoNceLoss(Temperature.Fixed(0.5)) { Symmetric = true };
        Assert.AreEqual((forward + backward) / 2, Value(loss, q, d), Tolerance);
    }

    [TestMethod]
    public void Dcl_RemovesPositiveFromDenominator()
    {
        var (q, d) = TwoPairs();
        var expected = ((-2 + Lse(1.2)) + (-1.6 + Lse(0))) / 2;
        Assert.AreEqual(expected, Value(new DecoupledContrastiveLoss(Temperature.Fixed(0.5)), q, d), Tolerance);
    }

    [TestMethod]
    public void Dclw_WeightsPositiveTermWithVonMisesFisherWeight()
    {
        var (q, d) = TwoPairs();
        // w_i = 2 - B exp(s_ii/sigma) / sum_j exp(s_jj/sigma), sigma = 0.5, s00 = 1, s11 = 0.8.
        var sum = Math.Exp(1 / 0.5) + Math.Exp(0.8 / 0.5);
        var w0 = 2 - (2 * Math.Exp(1 / 0.5) / sum);
        var w1 = 2 - (2 * Math.Exp(0.8 / 0.5) / sum);
        var expected = ((-w0 * 2 + Lse(1.2)) + (-w1 * 1.6 + Lse(0))) / 2;
        var loss = new DecoupledContrastiveLoss(Temperature.Fixed(0.5)) { Weighted = true };
        Assert.AreEqual(expected, Value(loss, q, d), Tolerance);
    }

    [TestMethod]
    public void Normalize_MakesTheLossScaleInvariant_AndOffUsesRawDotProducts()
    {
        // Scaled copies of TwoPairs: q0 = 3 e1, q1 = 2 e2, d0 = 0.5 e1, d1 = (1.2, 1.6).
        var q = tensor(new float[] { 3, 0, 0, 2 }, 2, 2);
        var d = tensor(new float[] { 0.5f, 0, 1.2f, 1.6f }, 2, 2);
        var cosine = ((-2 + Lse(2, 1.2)) + (-1.6 + Lse(0, 1.6))) / 2;
        Assert.AreEqual(cosine, Value(new InfoNceLoss(Temperature.Fixed(0.5)), q, d), Tolerance);

        // Raw dots at t = 1: q0.d0 = 1.5, q0.d1 = 3.6, q1.d0 = 0, q1.d1 = 3.2.
        var raw = ((-1.5 + Lse(1.5, 3.6)) + (-3.2 + Lse(0, 3.2))) / 2;
        Assert.AreEqual(raw, Value(new InfoNceLoss(Temperature.Fixed(1)) { Normalize = false }, q, d), Tolerance);
    }

    [TestMethod]
    public void HardNegatives_AreLaidOutPerQuery_AndGroupsMaskOtherRowsOfTheGroup()
    {
        // q0 = e1, q1 = e2; documents: [q0 positive e1, q0 negative (0.6, 0.8), q1 positive e2, q1 negative (0.8, 0.6)].
        var q = tensor(new float[] { 1, 0, 0, 1 }, 2, 2);
        var d = tensor(new float[] { 1, 0, 0.6f, 0.8f, 0, 1, 0.8f, 0.6f }, 4, 2);
        var loss = new InfoNceLoss(Temperature.Fixed(1));

        var open = ((-1 + Lse(1, 0.6, 0, 0.8)) + (-1 + Lse(0, 0.8, 1, 0.6))) / 2;
        Assert.AreEqual(open, Value(loss, q, d, k: 1), Tolerance);

        // Same group: each query keeps only its own positive and hard negative.
        var grouped = ((-1 + Lse(1, 0.6)) + (-1 + Lse(1, 0.6))) / 2;
        Assert.AreEqual(grouped, Value(loss, q, d, k: 1, groups: new long[] { 5, 5 }), Tolerance);

        // Different groups: nothing masked.
        Assert.AreEqual(open, Value(loss, q, d, k: 1, groups: new long[] { 5, 6 }), Tolerance);
    }

    [TestMethod]
    public void Groups_MaskOnlyRowsSharingAGroup_InBothDirections()
    {
        // q = e1, e2, e3; d0 = e1, d1 = e2, d2 = (0.6, 0, 0.8); groups [7, 7, 9]; t = 1.
        var q = tensor(new float[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, 3, 3);
        var d = tensor(new float[] { 1, 0, 0, 0, 1, 0, 0.6f, 0, 0.8f }, 3, 3);
        var groups = new long[] { 7, 7, 9 };

        var oneWay = ((-1 + Lse(1, 0.6)) + (-1 + Lse(1, 0)) + (-0.8 + Lse(0, 0, 0.8))) / 3;
        Assert.AreEqual(oneWay, Value(new InfoNceLoss(Temperature.Fixed(1)), q, d, groups: groups), Tolerance);

        // Positives against queries: d0 -> [1, (0 masked), 0]; d1 -> [(0 masked), 1, 0]; d2 -> [0.6, 0, 0.8].
        var reverse = ((-1 + Lse(1, 0)) + (-1 + Lse(1, 0)) + (-0.8 + Lse(0.6, 0, 0.8))) / 3;
        var symmetric = new InfoNceLoss(Temperature.Fixed(1)) { Symmetric = true };
        Assert.AreEqual((oneWay + reverse) / 2, Value(symmetric, q, d, groups: groups), Tolerance);

        // DCL: the positive leaves the denominator as well.
        var dcl = ((-1 + Lse(0.6)) + (-1 + Lse(0)) + (-0.8 + Lse(0, 0))) / 3;
        Assert.AreEqual(dcl, Value(new DecoupledContrastiveLoss(Temperature.Fixed(1)), q, d, groups: groups), Tolerance);
    }

    [TestMethod]
    public void LearnableTemperature_HasTheFixedValue_AndTheHandDerivedGradient()
    {
        var (q, d) = TwoPairs();
        using var temperature = Temperature.Learnable(0.5);
        var loss = new InfoNceLoss(temperature);
        using var value = loss.Forward(q, d, 0);
        Assert.AreEqual(((-2 + Lse(2, 1.2)) + (-1.6 + Lse(0, 1.6))) / 2, value.item<float>(), Tolerance);

        value.backward();
        // theta = log(1/t), logits = e^theta s. dL/dtheta = e^theta * mean_i(-s_ii + sum_j softmax_ij s_ij).
        static double Row(double sPos, double sOther, double scale)
        {
            var p = Math.Exp(scale * sPos) / (Math.Exp(scale * sPos) + Math.Exp(scale * sOther));
            return -sPos + (p * sPos) + ((1 - p) * sOther);
        }

        var expected = 2.0 * (Row(1, 0.6, 2) + Row(0.8, 0, 2)) / 2;
        var parameter = loss.Parameters().Single();
        using var grad = parameter.grad!;
        Assert.AreEqual(expected, grad.item<float>(), Tolerance);
    }
}
