using MLNet.Contrastive.Encoders;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Encoders;

[TestClass]
public sealed class AttentionBudgetTests
{
    [TestMethod]
    public void Batches_LongTexts_SplitToStayWithinTheBudget()
    {
        // 64 texts of 8192 tokens, 4 heads: one text is 4 x 8192^2 = 2^28 scores, the whole budget, so one per batch.
        var lengths = Enumerable.Repeat(8192, 64).ToArray();

        var batches = AttentionBudget.Batches(Enumerable.Range(0, 64), i => lengths[i], maxRows: 64, scoresPerSquaredLength: 4);

        Assert.HasCount(64, batches);
        Assert.IsTrue(batches.All(b => b.Length == 1));
    }

    [TestMethod]
    public void Batches_MixedLengths_EachBatchWithinBudget_EveryIndexOnce()
    {
        var random = new Random(3);
        var lengths = Enumerable.Range(0, 500).Select(_ => random.Next(1, 3000)).ToArray();
        var order = Enumerable.Range(0, 500).OrderBy(i => lengths[i]).ToArray();

        var batches = AttentionBudget.Batches(order, i => lengths[i], maxRows: 64, scoresPerSquaredLength: 12);

        foreach (var batch in batches)
        {
            Assert.IsLessThanOrEqualTo(64, batch.Length);
            var scores = AttentionBudget.Scores(batch.Length, batch.Max(i => lengths[i]), 12);
            Assert.IsTrue(batch.Length == 1 || scores <= AttentionBudget.MaxScores, $"batch of {batch.Length}: {scores} scores");
        }

        CollectionAssert.AreEqual(order, batches.SelectMany(b => b).ToArray(), "batches keep the order and hold every text once");
        // Short texts still fill batches of 64: the budget only splits what is long.
        Assert.HasCount(64, batches[0]);
    }

    [TestMethod]
    public void Batches_ShortTexts_OnlyMaxRowsApplies()
    {
        var batches = AttentionBudget.Batches(Enumerable.Range(0, 150), _ => 128, maxRows: 64, scoresPerSquaredLength: 4);

        CollectionAssert.AreEqual(new[] { 64, 64, 22 }, batches.Select(b => b.Length).ToArray());
    }

    [TestMethod]
    public void CheckMaxTokens_AbovePositions_NamesOptionAndLimit()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => AttentionBudget.CheckMaxTokens(1_000_000, 512, 12, "MaxTokens"));

        Assert.AreEqual("MaxTokens", e.ParamName);
        StringAssert.Contains(e.Message, "512 positions");
    }

    [TestMethod]
    public void Forward_BatchAboveBudget_ThrowsBeforeLibtorch()
    {
        using var encoder = new TransformerEncoder(TinyEncoders.Transformer() with { MaxLength = 8192, HeadCount = 4 });
        // 5 x 4 x 8192^2 = 1.3e9 scores (5 GiB per layer): refused before any allocation.
        using var ids = zeros(5, 8192, ScalarType.Int64);
        using var mask = ones(5, 8192, ScalarType.Int64);

        var e = Assert.ThrowsExactly<ArgumentException>(() => encoder.call(ids, mask));

        StringAssert.Contains(e.Message, "attention scores");
    }

    [TestMethod]
    public void EncodeTokenized_IdOutsideTable_ThrowsBeforeLibtorch()
    {
        using var model = new EmbeddingModel(global::MLNet.Contrastive.Text.TextTokenizer.Cl100kBase(16), new StaticEncoder(TinyEncoders.Static() with { VocabularySize = 200_000 }));
        var e = Assert.ThrowsExactly<ArgumentException>(() => model.EncodeTokenized(new[] { new[] { 1, 2 }, new[] { 3, 250_000 } }));

        StringAssert.Contains(e.Message, "Sequence 1");
        StringAssert.Contains(e.Message, "250000");
    }
}
