using Microsoft.ML;
using MLNet.Contrastive.MLNet;

namespace MLNet.Contrastive.Tests.MLNet;

[TestClass]
public sealed class OptionsValidationTests
{
    [TestMethod]
    public void Constructor_MaxTokensAbovePositionTable_NamesOptionAndLimit()
    {
        var mlContext = new MLContext(seed: 1);
        var options = TestData.Options();
        options.MaxTokens = 1_000_000;

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Transforms.ContrastiveEmbedding(options));

        Assert.AreEqual("MaxTokens", e.ParamName);
        StringAssert.Contains(e.Message, "8,192 positions");
    }

    [TestMethod]
    public void Constructor_OneTextAboveAttentionBudget_NamesOptionAndLongest()
    {
        var mlContext = new MLContext(seed: 1);
        var options = TestData.Options();
        options.MaxTokens = 8192;
        options.Heads = 8; // 8 x 8192^2 = 2^29 scores for one text, twice the budget

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Transforms.ContrastiveEmbedding(options));

        Assert.AreEqual("MaxTokens", e.ParamName);
        StringAssert.Contains(e.Message, "at most 5,792 tokens");
    }
}
