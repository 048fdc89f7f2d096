using MLNet.Contrastive.Encoders;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Encoders;

/// <summary>
/// Where dropout is inactive, the attention goes through libtorch's fused kernel; it must give what the written-out
/// formula softmax(QKᵀ/√h + mask)·V gives, in values and in the gradients that fine-tuning takes through it.
/// </summary>
[TestClass]
public sealed class BertSelfAttentionTests
{
    // Float32 sums in another order over 4-wide heads: a few ulp of values of order 1.
    private const float Tolerance = 2e-5f;
    private const int Width = 16;
    private const int Heads = 4;

    [TestMethod]
    [DataRow(0.0, true, DisplayName = "training, attention dropout 0 (fused)")]
    [DataRow(0.3, false, DisplayName = "evaluation, attention dropout 0.3 (fused)")]
    [DataRow(0.0, false, DisplayName = "evaluation, attention dropout 0 (fused)")]
    public void DropoutInactive_MatchesWrittenOutAttention_ValuesAndGradients(double attentionDropout, bool training)
    {
        using var scope = NewDisposeScope();
        using var attention = new BertSelfAttention(new TransformerShape
        {
            HiddenSize = Width, HeadCount = Heads, AttentionDropout = attentionDropout,
        });
        attention.train(training);
        var generator = new TorchSharp.torch.Generator(11);
        var hidden = randn(3, 5, Width, generator: generator).requires_grad_(true);
        var lengths = tensor(new long[] { 5, 2, 4 });
        var isPadKey = (arange(5).unsqueeze(0) >= lengths.unsqueeze(1)).view(3, 1, 1, 5);
        var upstream = randn(3, 5, Width, generator: generator);

        var fused = attention.call(hidden, isPadKey);
        var fusedGrad = autograd.grad([(fused * upstream).sum()], [hidden])[0];

        var expected = WrittenOut(attention, hidden, isPadKey);
        var expectedGrad = autograd.grad([(expected * upstream).sum()], [hidden])[0];

        Assert.IsTrue(expected.abs().max().item<float>() > 0.1f, "the reference must not be trivially small");
        Assert.AreEqual(0f, (fused - expected).abs().max().item<float>(), Tolerance);
        Assert.AreEqual(0f, (fusedGrad - expectedGrad).abs().max().item<float>(), Tolerance);

        // A padded key takes no part: changing its state leaves the real rows of that text unchanged.
        var changed = hidden.detach().clone();
        changed[1, 3] = changed[1, 3] + 5;
        var again = attention.call(changed, isPadKey);
        Assert.AreEqual(0f, (again[1, ..2] - fused[1, ..2]).abs().max().item<float>(), Tolerance);
    }

    [TestMethod]
    public void TrainingWithAttentionDropout_DropsProbabilities()
    {
        using var scope = NewDisposeScope();
        using var attention = new BertSelfAttention(new TransformerShape
        {
            HiddenSize = Width, HeadCount = Heads, AttentionDropout = 0.5,
        });
        attention.train();
        var hidden = randn(2, 6, Width, generator: new TorchSharp.torch.Generator(5));
        var isPadKey = zeros(2, 1, 1, 6, ScalarType.Bool);

        var trained = attention.call(hidden, isPadKey);
        var expected = WrittenOut(attention, hidden, isPadKey);

        Assert.IsTrue((trained - expected).abs().max().item<float>() > 1e-2f, "dropout at 0.5 must change the output in training");
    }

    private static Tensor WrittenOut(BertSelfAttention attention, Tensor hidden, Tensor isPadKey)
    {
        var p = attention.named_children().Where(c => c.module is Linear).ToDictionary(c => c.name, c => (Linear)c.module);
        var n = hidden.shape[0];
        var length = hidden.shape[1];
        var headSize = Width / Heads;
        Tensor Split(Tensor t) => t.view(n, length, Heads, headSize).transpose(1, 2);
        var q = Split(p["query"].call(hidden));
        var k = Split(p["key"].call(hidden));
        var v = Split(p["value"].call(hidden));
        var scores = q.matmul(k.transpose(-1, -2)) / Math.Sqrt(headSize);
        scores = scores.masked_fill(isPadKey, double.NegativeInfinity);
        return scores.softmax(-1).matmul(v).transpose(1, 2).reshape(n, length, Width);
    }
}
