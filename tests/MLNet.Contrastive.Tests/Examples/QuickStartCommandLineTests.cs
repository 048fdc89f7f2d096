using MLNet.Contrastive.Encoders;
using QuickStart;

namespace MLNet.Contrastive.Tests.Examples;

/// <summary>The QuickStart's command line and its TSV data path (no training: fast).</summary>
[TestClass]
public sealed class QuickStartCommandLineTests
{
    [TestMethod]
    public void Parse_NoArguments_GivesFullRunDefaults()
    {
        var options = CommandLine.Parse([])!;
        Assert.IsNull(options.MaxMembers);
        Assert.AreEqual(512, options.BatchSize);
        Assert.AreEqual(64, options.ChunkSize);
        Assert.AreEqual(EncoderKind.Static, options.Encoder);
        Assert.AreEqual("model.zip", options.OutputPath);
        Assert.HasCount(5, options.Searches);
    }

    [TestMethod]
    public void Parse_QuickWithExplicitEpochs_KeepsTheExplicitValueInEitherOrder()
    {
        var before = CommandLine.Parse(["--epochs", "5", "--quick"])!;
        var after = CommandLine.Parse(["--quick", "--epochs", "5"])!;
        foreach (var options in new[] { before, after })
        {
            Assert.AreEqual(5, options.Epochs);
            Assert.AreEqual(1000, options.MaxMembers);
            Assert.AreEqual(128, options.BatchSize);
        }
    }

    [TestMethod]
    public void Parse_AllValueOptions_AreRead()
    {
        var options = CommandLine.Parse(["--batch", "256", "--chunk", "16", "--max-members", "300", "--encoder", "transformer",
            "--lr", "0.002", "--output", "out.zip", "--search", "a", "--search", "b"])!;
        Assert.AreEqual(256, options.BatchSize);
        Assert.AreEqual(16, options.ChunkSize);
        Assert.AreEqual(300, options.MaxMembers);
        Assert.AreEqual(EncoderKind.Transformer, options.Encoder);
        Assert.AreEqual(0.002, options.LearningRate, 1e-15);
        Assert.AreEqual("out.zip", options.OutputPath);
        CollectionAssert.AreEqual(new[] { "a", "b" }, options.Searches.ToArray());
    }

    [TestMethod]
    [DataRow("--help")]
    [DataRow("-h")]
    [DataRow("-?")]
    public void Parse_Help_ReturnsNull(string help) => Assert.IsNull(CommandLine.Parse([help]));

    [TestMethod]
    public void Usage_Generated_ListsEveryOptionWithItsDefault()
    {
        var usage = CommandLine.Usage;
        foreach (var option in new[] { "--data", "--docs", "--sts", "--max-members", "--quick", "--from-scratch", "--finetune-pairs", "--frozen-layers", "--epochs", "--batch", "--chunk", "--encoder", "--width",
                     "--layers", "--max-tokens", "--lr", "--seed", "--output", "--max-test-docs", "--search", "--help" })
        {
            StringAssert.Contains(usage, option);
        }

        StringAssert.Contains(usage, "[default: 512]");
        StringAssert.Contains(usage, "--encoder <static|transformer>");
    }

    [TestMethod]
    public void Parse_BadValue_MessageSaysWhatWasExpected()
    {
        var e = Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--max-tokens", "2"]));
        StringAssert.Contains(e.Message, "Option '--max-tokens' expects an integer >= 4, got 2.");
        Assert.AreEqual("--max-tokens", e.ParamName);
    }

    [TestMethod]
    public void Parse_NoArguments_FineTunesMiniLMAndQuickStaysFromScratch()
    {
        Assert.IsFalse(CommandLine.Parse([])!.FromScratch, "the main job starts from MiniLM");
        Assert.IsTrue(CommandLine.Parse(["--quick"])!.FromScratch, "the reduced mode trains from scratch only");
        Assert.IsTrue(CommandLine.Parse(["--from-scratch"])!.FromScratch);
    }

    [TestMethod]
    public void Parse_FineTuneOptions_AreRead()
    {
        var options = CommandLine.Parse(["--finetune-pairs", "1000", "--finetune-epochs", "2", "--finetune-batch", "64",
            "--finetune-chunk", "16", "--finetune-lr", "3e-5", "--finetune-max-tokens", "32", "--frozen-layers", "4"])!;
        Assert.AreEqual(1000, options.FineTunePairs);
        Assert.AreEqual(2, options.FineTuneEpochs);
        Assert.AreEqual(64, options.FineTuneBatchSize);
        Assert.AreEqual(16, options.FineTuneChunkSize);
        Assert.AreEqual(3e-5, options.FineTuneLearningRate, 1e-18);
        Assert.AreEqual(32, options.FineTuneMaxTokens);
        Assert.AreEqual(4, options.FrozenLayers);
    }

    [TestMethod]
    [DataRow(new[] { "--frozen-layers", "7" }, "--frozen-layers")]
    [DataRow(new[] { "--finetune-lr", "0" }, "--finetune-lr")]
    [DataRow(new[] { "--finetune-pairs", "0" }, "--finetune-pairs")]
    public void Parse_InvalidFineTuneOption_ThrowsNamingIt(string[] args, string option)
    {
        // The parser's validators throw ArgumentException, QuickStartOptions.Validate an ArgumentOutOfRangeException: both name the option.
        var e = Assert.Throws<ArgumentException>(() => CommandLine.Parse(args));
        Assert.AreEqual(option, e.ParamName);
    }

    [TestMethod]
    [DataRow(new[] { "--bogus" }, "--bogus")]
    [DataRow(new[] { "--epochs" }, "--epochs")]
    [DataRow(new[] { "--epochs", "two" }, "--epochs")]
    [DataRow(new[] { "--epochs", "0" }, "--epochs")]
    [DataRow(new[] { "--batch", "32", "--chunk", "64" }, "--chunk")]
    [DataRow(new[] { "--encoder", "lstm" }, "--encoder")]
    [DataRow(new[] { "--lr", "-1" }, "--lr")]
    [DataRow(new[] { "--data", "/nonexistent/pairs.tsv" }, "--data")]
    [DataRow(new[] { "--sts", "/nonexistent/sts-test.csv" }, "--sts")]
    [DataRow(new[] { "--search" }, "--search")]
    [DataRow(new[] { "--lr", "fast" }, "--lr")]
    public void Parse_BadArguments_ThrowNamingTheOption(string[] args, string option)
    {
        var e = Assert.Throws<ArgumentException>(() => CommandLine.Parse(args));
        Assert.AreEqual(option, e.ParamName);
    }

    [TestMethod]
    public void Load_Tsv_HoldsOutWholeAnchorsAndJudgesTheirPositives()
    {
        var path = Path.GetTempFileName();
        try
        {
            // 30 anchors, the first 10 with two positives each; positives are unique texts.
            var lines = new List<string> { "anchor\tpositive" };
            for (int a = 0; a < 30; a++)
            {
                lines.Add($"question {a}\tanswer {a}");
                if (a < 10)
                {
                    lines.Add($"question {a}\tsecond answer {a}");
                }
            }

            File.WriteAllLines(path, lines);
            var data = QuickStartData.Load(new QuickStartOptions { DataPath = path });

            Assert.HasCount(3, data.Test.Queries, "10% of 30 distinct anchors");
            var trainAnchors = data.TrainPairs.Select(p => p.Anchor).ToHashSet();
            Assert.IsFalse(data.Test.Queries.Any(trainAnchors.Contains), "held-out anchors never appear in training");
            Assert.AreEqual(40, data.TrainPairs.Count + data.Test.Corpus.Count, "every pair is used once");
            for (int q = 0; q < data.Test.Queries.Count; q++)
            {
                string number = data.Test.Queries[q]["question ".Length..];
                var relevant = data.Test.RelevantDocuments[q].Select(d => data.Test.Corpus[d]).Order().ToArray();
                var expected = int.Parse(number, System.Globalization.CultureInfo.InvariantCulture) < 10
                    ? new[] { $"answer {number}", $"second answer {number}" }
                    : new[] { $"answer {number}" };
                CollectionAssert.AreEqual(expected, relevant);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
