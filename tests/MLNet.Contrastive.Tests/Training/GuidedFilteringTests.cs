using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Training;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Training;

/// <summary>Guided false-negative filtering: the guide's masks on hand-built vectors, the masked loss against one written
/// out here, and the gradient cache's exactness under a mask.</summary>
[TestClass]
public sealed class GuidedFilteringTests
{
    private const double Tolerance = 1e-5;

    // Three examples in 2-D: unit vectors at the given angles (degrees), so every guide similarity is a known cosine.
    private static float[] At(double degrees) => [(float)Math.Cos(degrees * Math.PI / 180), (float)Math.Sin(degrees * Math.PI / 180)];

    [TestMethod]
    public void Mask_MasksCandidatesTheGuideScoresAboveThePositive_NeverThePositive()
    {
        // Queries at 0, 90 and 200 degrees; their positives at 30, 10 and 180.
        float[][] queries = [At(0), At(90), At(200)];
        float[][][] documents = [[At(30)], [At(10)], [At(180)]];
        var guide = new GuideEmbeddings(queries, documents, Margin: 0, "test");

        var mask = guide.Mask([0, 1, 2], symmetric: true);

        // Row 0 (positive cos 30 = 0.866): row 1's positive at 10 (cos 0.985) masked. Row 1 (positive cos 80 = 0.174):
        // row 0's positive at 30 (cos 60 = 0.5) masked, 180 (cos 90 = 0) kept. Row 2 (positive cos 20): nothing above.
        CollectionAssert.AreEqual(new[] { false, true, false, true, false, false, false, false, false }, mask.Forward);
        // Positive i against the queries: positive 1 (10) is closer to query 0 (cos 10) than to its own (cos 80): masked.
        CollectionAssert.AreEqual(new[] { false, false, false, true, false, false, false, false, false }, mask.Reverse);

        // A margin masks more: row 1 now masks 180 too (0 > 0.174 - 0.6).
        var wide = new GuideEmbeddings(queries, documents, Margin: 0.6, "test").Mask([0, 1, 2], symmetric: false);
        Assert.IsTrue(wide.Forward[3 + 0] && wide.Forward[3 + 2], "row 1, candidates 0 and 2");
        Assert.IsFalse(wide.Forward.Where((_, i) => i is 0 or 4 or 8).Any(m => m), "a row's own positive is never masked");
        Assert.IsNull(wide.Reverse);
    }

    [TestMethod]
    [DataRow(LossKind.InfoNce)]
    [DataRow(LossKind.SymmetricInfoNce)]
    [DataRow(LossKind.Dcl)]
    public void ForwardMasked_EqualsTheLossWithThoseCandidatesLeftOut(LossKind kind)
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        const int batch = 4;
        var q = randn(batch, 5);
        var d = randn(batch * 2, 5);
        var forward = new bool[batch * batch * 2];
        forward[(0 * 8) + 2] = true; // query 0: in-batch positive of row 1 out
        forward[(2 * 8) + 5] = true; // query 2: row 2's... hard negative of row 2 is column 5: out
        forward[(3 * 8) + 0] = forward[(3 * 8) + 1] = true;
        var reverse = new bool[batch * batch];
        reverse[(1 * 4) + 3] = true;
        var guided = new NegativeMask(forward, kind == LossKind.SymmetricInfoNce ? reverse : null);
        var loss = LossSpec.Create(kind, Temperature.Fixed(0.1), rowChunkSize: 3);

        var actual = loss.ForwardMasked(q, d, 1, null, guided).item<float>();

        // Written out: log-softmax over the kept candidates, the positive's term; the mean over rows (and directions).
        var qn = nn.functional.normalize(q, 2.0, 1);
        var dn = nn.functional.normalize(d, 2.0, 1);
        double Row(Tensor anchor, Tensor candidates, int target, Func<int, bool> masked, bool excludePositive)
        {
            var logits = (candidates.matmul(anchor) / 0.1).data<float>().ToArray();
            var kept = Enumerable.Range(0, logits.Length).Where(c => !masked(c) && !(excludePositive && c == target)).Select(c => (double)logits[c]).ToArray();
            var max = kept.Max();
            return max + Math.Log(kept.Sum(v => Math.Exp(v - max))) - logits[target];
        }

        var dcl = kind == LossKind.Dcl;
        var expected = Enumerable.Range(0, batch).Sum(i => Row(qn[i], dn, i * 2, c => forward[(i * 8) + c], dcl)) / batch;
        if (kind == LossKind.SymmetricInfoNce)
        {
            var back = Enumerable.Range(0, batch).Sum(i => Row(dn[i * 2], qn, i, j => reverse[(i * 4) + j], false)) / batch;
            expected = (expected + back) / 2;
        }

        Assert.AreEqual(expected, actual, 1e-4, kind.ToString());
        Assert.AreNotEqual(loss.Forward(q, d, 1).item<float>(), actual, 1e-4, "the mask changes the loss");
    }

    [TestMethod]
    public void ForwardBackwardMasked_ARowWithNoCandidateLeft_CountsZeroAndStaysFinite()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var q = randn(3, 4).requires_grad_(true);
        var d = randn(3, 4).requires_grad_(true);
        var forward = new bool[9];
        forward[1] = forward[2] = true; // row 0 keeps only its positive: DCL has nothing left in its denominator
        var loss = LossSpec.Create(LossKind.Dcl, Temperature.Fixed(0.1));

        var value = loss.ForwardBackwardMasked(q, d, 0, null, new NegativeMask(forward, null));

        Assert.IsTrue(double.IsFinite(value));
        Assert.IsTrue(q.grad!.isfinite().all().item<bool>() && d.grad!.isfinite().all().item<bool>());
        Assert.AreEqual(0f, q.grad[0].abs().sum().item<float>(), "row 0 contributes nothing");
    }

    [TestMethod]
    [DataRow(LossKind.InfoNce)]
    [DataRow(LossKind.SymmetricInfoNce)]
    [DataRow(LossKind.Dcl)]
    public void StepMasked_MatchesTheFullBatchGradientsOfTheMaskedLoss(LossKind kind)
    {
        const int batch = 7;
        const int k = 1;
        using var encoder = new TinyEncoder(seed: 5);
        var loss = LossSpec.Create(kind, Temperature.Fixed(0.1), rowChunkSize: 3);
        var parameters = encoder.parameters().ToArray();
        var queries = TestData.Texts(batch, seed: 12);
        var documents = TestData.Texts(batch * (1 + k), seed: 22);
        var random = new Random(3);
        var guided = new NegativeMask(
            Enumerable.Range(0, batch * batch * (1 + k)).Select(_ => random.NextDouble() < 0.2).ToArray(),
            kind == LossKind.SymmetricInfoNce ? Enumerable.Range(0, batch * batch).Select(_ => random.NextDouble() < 0.2).ToArray() : null);

        using (var scope = NewDisposeScope())
        {
            loss.ForwardMasked(TestData.EncodeAll(encoder, queries), TestData.EncodeAll(encoder, documents), k, null, guided).backward();
        }

        var expected = TestData.Gradients(parameters);
        TestData.ZeroGradients(parameters);
        new GradientCache(encoder, null, loss, new GradientCacheOptions { ChunkSize = 3 }).StepMasked(queries, documents, k, null, 0, guided);
        var actual = TestData.Gradients(parameters);

        var error = TestData.RelativeError(actual, expected);
        Assert.IsTrue(error <= Tolerance, $"{kind}: relative error {error}");
    }
}
