using MLNet.Contrastive.Losses;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Losses;

/// <summary>
/// Row-chunked <see cref="ContrastiveLoss.ForwardBackward"/> against the unchunked <see cref="ContrastiveLoss.Forward"/>
/// and one autograd backward. Relative error = max|g_chunked - g_full| / max|g_full|; 1e-5 allows float32 rounding of
/// sums taken in a different order.
/// </summary>
[TestClass]
public sealed class ChunkedLossTests
{
    private const double Tolerance = 1e-5;

    [TestMethod]
    [DataRow(LossKind.InfoNce)]
    [DataRow(LossKind.SymmetricInfoNce)]
    [DataRow(LossKind.Dcl)]
    [DataRow(LossKind.Dclw)]
    public void ForwardBackward_InRowChunks_EqualsUnchunkedValueAndGradients(LossKind kind)
    {
        const int batch = 5, k = 2, dim = 4;
        var generator = new Generator(11);
        using var qData = randn(batch, dim, generator: generator);
        using var dData = randn(batch * (1 + k), dim, generator: generator);
        var groups = new long[] { 1, 2, 1, 3, 4 };

        var (fullValue, fullGrads) = Run(kind, rowChunk: null, chunked: false, qData, dData, k, groups);
        var (chunkValue, chunkGrads) = Run(kind, rowChunk: 2, chunked: true, qData, dData, k, groups);

        Assert.AreEqual(fullValue, chunkValue, Tolerance * Math.Abs(fullValue));
        for (var i = 0; i < fullGrads.Length; i++)
        {
            Assert.IsTrue(fullGrads[i].abs().max().item<float>() > 0, $"gradient {i} must not vanish");
            Assert.IsTrue(RelativeError(chunkGrads[i], fullGrads[i]) <= Tolerance, $"gradient {i}: {RelativeError(chunkGrads[i], fullGrads[i])}");
        }
    }

    internal static double RelativeError(Tensor actual, Tensor expected) =>
        (actual - expected).abs().max().item<float>() / expected.abs().max().item<float>();

    private static (double Value, Tensor[] Grads) Run(LossKind kind, int? rowChunk, bool chunked, Tensor qData, Tensor dData, int k, long[] groups)
    {
        var temperature = Temperature.Learnable(0.2);
        var loss = LossSpec.Create(kind, temperature, rowChunkSize: rowChunk);
        var q = qData.clone().requires_grad_(true);
        var d = dData.clone().requires_grad_(true);
        double value;
        if (chunked)
        {
            value = loss.ForwardBackward(q, d, k, groups);
        }
        else
        {
            using var v = loss.Forward(q, d, k, groups);
            v.backward();
            value = v.item<float>();
        }

        return (value, new[] { q.grad!, d.grad!, loss.Parameters().Single().grad! });
    }
}
