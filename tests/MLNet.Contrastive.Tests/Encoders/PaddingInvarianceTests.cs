using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Text;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Encoders;

[TestClass]
public sealed class PaddingInvarianceTests
{
    // Padded keys get exactly zero attention and padded states are multiplied by exactly 0 when pooling; what remains
    // is float32 summation order changing with the padded length (a few ulp of values of order 1), hence 1e-6.
    private const float Tolerance = 1e-6f;
    private static readonly int[] Text = [2, 5, 6, 7, 3];
    private static readonly int[] Longer = [2, 9, 8, 7, 6, 5, 11, 12, 13, 14, 15, 3];

    [TestMethod]
    [DataRow(PoolingMode.Mean)]
    [DataRow(PoolingMode.Max)]
    [DataRow(PoolingMode.Cls)]
    public void Transformer_PaddedTo8Or64OrBatched_SameEmbedding(PoolingMode pooling)
    {
        using var encoder = new TransformerEncoder(TinyEncoders.Transformer(pooling));
        encoder.eval();
        AssertPaddingInvariant(encoder);
    }

    [TestMethod]
    public void Static_PaddedTo8Or64OrBatched_SameEmbedding()
    {
        using var encoder = new StaticEncoder(TinyEncoders.Static());
        encoder.eval();
        AssertPaddingInvariant(encoder);
    }

    [TestMethod]
    public void Transformer_PaddingTokenIdChanges_EmbeddingDoesNot()
    {
        using var encoder = new TransformerEncoder(TinyEncoders.Transformer());
        encoder.eval();
        using var padZero = TokenBatch.Collate([Text], paddingId: 0, padTo: 16);
        using var padOther = TokenBatch.Collate([Text], paddingId: 13, padTo: 16);
        using var a = encoder.call(padZero.InputIds, padZero.AttentionMask);
        using var b = encoder.call(padOther.InputIds, padOther.AttentionMask);
        Assert.IsLessThanOrEqualTo(Tolerance, TinyEncoders.MaxAbsDiff(TinyEncoders.Row(a, 0), TinyEncoders.Row(b, 0)));
    }

    [TestMethod]
    public void Transformer_NotPadded_DiffersFromMaskedSameTokens()
    {
        // Guards the test above: if the mask were ignored, treating pad positions as tokens would change nothing.
        using var encoder = new TransformerEncoder(TinyEncoders.Transformer());
        encoder.eval();
        using var masked = TokenBatch.Collate([Text], paddingId: 13, padTo: 8);
        using var ones = ones_like(masked.AttentionMask);
        using var a = encoder.call(masked.InputIds, masked.AttentionMask);
        using var b = encoder.call(masked.InputIds, ones);
        Assert.IsGreaterThan(1e-3f, TinyEncoders.MaxAbsDiff(TinyEncoders.Row(a, 0), TinyEncoders.Row(b, 0)));
    }

    private static void AssertPaddingInvariant(TextEncoder encoder)
    {
        using var noGrad = no_grad();
        using var alone = TokenBatch.Collate([Text], paddingId: 0);
        using var to8 = TokenBatch.Collate([Text], paddingId: 0, padTo: 8);
        using var to64 = TokenBatch.Collate([Text], paddingId: 0, padTo: 64);
        using var batched = TokenBatch.Collate([Longer, Text, Longer], paddingId: 0);
        using var e0 = encoder.call(alone.InputIds, alone.AttentionMask);
        using var e8 = encoder.call(to8.InputIds, to8.AttentionMask);
        using var e64 = encoder.call(to64.InputIds, to64.AttentionMask);
        using var eb = encoder.call(batched.InputIds, batched.AttentionMask);
        var reference = TinyEncoders.Row(e0, 0);
        Assert.IsTrue(reference.All(float.IsFinite));
        Assert.AreEqual(encoder.Dimension, reference.Length);
        Assert.IsLessThanOrEqualTo(Tolerance, TinyEncoders.MaxAbsDiff(reference, TinyEncoders.Row(e8, 0)));
        Assert.IsLessThanOrEqualTo(Tolerance, TinyEncoders.MaxAbsDiff(reference, TinyEncoders.Row(e64, 0)));
        Assert.IsLessThanOrEqualTo(Tolerance, TinyEncoders.MaxAbsDiff(reference, TinyEncoders.Row(eb, 1)));
        Assert.IsGreaterThan(1e-4f, TinyEncoders.MaxAbsDiff(reference, TinyEncoders.Row(eb, 0)), "a different text must embed differently");
    }
}
