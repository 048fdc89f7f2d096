using Microsoft.ML;

namespace MLNet.Contrastive.Tests.Transforms;

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

    [TestMethod]
    public void Constructor_BatchSizeOne_NamesBatchSize()
    {
        var options = TestData.Options();
        options.BatchSize = 1;

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(seed: 1).Transforms.ContrastiveEmbedding(options));

        Assert.AreEqual("BatchSize", e.ParamName);
        StringAssert.Contains(e.Message, "at least 2");
    }

    [TestMethod]
    public void Constructor_MaxTokensOneWithVocabulary_NamesMaxTokens()
    {
        var options = TestData.Options();
        options.VocabularyPath = "vocab.txt"; // not read: the option pair is invalid whatever the file holds
        options.MaxTokens = 1;

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(seed: 1).Transforms.ContrastiveEmbedding(options));

        Assert.AreEqual("MaxTokens", e.ParamName);
        StringAssert.Contains(e.Message, "[CLS]");
    }

    [TestMethod]
    public void Fit_OneRow_SaysWhatTheDataLacks()
    {
        var mlContext = new MLContext(seed: 1);
        var estimator = mlContext.Transforms.ContrastiveEmbedding(TestData.Options());

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => estimator.Fit(TestData.View(mlContext, TestData.Rows(1))));

        StringAssert.Contains(e.Message, "The training data has 1 row; at least 2 are needed");
    }

    [TestMethod]
    public void Fit_ValidationDataLacksPositiveColumn_SaysValidationData()
    {
        var mlContext = new MLContext(seed: 1);
        var options = TestData.Options();
        options.ValidationData = mlContext.Data.LoadFromEnumerable(new[] { new TextRow { Anchor = "a" } });

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Transforms.ContrastiveEmbedding(options).Fit(TestData.View(mlContext, TestData.Rows(4))));

        StringAssert.Contains(e.Message, "validation data's positive column 'Positive'");
    }

    [TestMethod]
    public void Fit_ValidationTextMissing_SaysValidationData()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = TestData.Rows(4);
        rows[2].Positive = string.Empty;
        var options = TestData.Options();
        options.ValidationData = TestData.View(mlContext, rows);

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => mlContext.Transforms.ContrastiveEmbedding(options).Fit(TestData.View(mlContext, TestData.Rows(4))));

        StringAssert.Contains(e.Message, "Row 2 of column 'Positive' of the validation data");
    }

    [TestMethod]
    public void Fit_TokenizerInstance_WarnsWithAdviceTheOptionsCanTake()
    {
        var mlContext = new MLContext(seed: 1);
        var warnings = new List<string>();
        mlContext.Log += (_, e) => { lock (warnings) { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) { warnings.Add(e.Message); } } };
        var options = TestData.Options();
        options.Tokenizer = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("cl100k_base");

        using var transformer = mlContext.Transforms.ContrastiveEmbedding(options).Fit(TestData.View(mlContext, TestData.Rows(4)));

        lock (warnings)
        {
            var warning = warnings.Single(w => w.Contains("cannot be saved", StringComparison.Ordinal));
            StringAssert.Contains(warning, "set VocabularyPath");
        }
    }
}
