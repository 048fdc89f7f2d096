using ExampleData;
using QuickStart;

namespace MLNet.Contrastive.Tests.Examples;

[TestClass]
public sealed class EverydaySearchesTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void All_OnTheInstalledSdksDocs_EverySearchHasAFewRightMembers_NamedAsItsAnswerSays()
    {
        // The QuickStart's corpus is the signatures of the SDK's documented members; every search must be answerable
        // there, and no pattern may be so loose that it matches members of other names.
        string folder = DotNetSdkLocator.FindReferenceDocsFolder();
        var documents = ApiDocsReader.ReadMembers(Directory.GetFiles(folder, "*.xml")).Select(m => m.Signature).Distinct().ToList();
        foreach (var search in EverydaySearches.All)
        {
            var right = documents.Where(search.IsRight).ToList();
            TestContext.WriteLine($"{search.Query}: {right.Count} right, e.g. {string.Join(" | ", right.Take(3))}");
            Assert.IsTrue(right.Count is >= 1 and <= 80, $"'{search.Query}' matches {right.Count} members");
            string[] names = search.Answer.Replace("*", "", StringComparison.Ordinal).Replace(" of a collection", "", StringComparison.Ordinal)
                .Split(" / ").Select(n => n[(n.LastIndexOf('.') + 1)..]).ToArray();
            foreach (var document in right)
            {
                Assert.IsTrue(names.Any(n => document.Contains("." + n, StringComparison.Ordinal)), $"'{document}' answers '{search.Query}'?");
            }
        }
    }

    [TestMethod]
    public void Score_RankIsThePositionOfTheFirstRightMember_NullWhenNoneIsRight()
    {
        var results = EverydaySearches.All.Select(_ => (IReadOnlyList<string>)["Console.Beep() — method of System.Console"]).ToList();
        results[0] = ["Console.Beep() — method of System.Console", "String.Contains(string value) — method of System.String", "String.Contains(char value) — method of System.String"];
        results[1] = ["List<T>.Clear() — method of System.Collections.Generic.List<T>"];
        results[6] = ["FileInfo.Exists — property of System.IO.FileInfo", "Console.Beep() — method of System.Console"];

        var score = EverydaySearches.Score("m", results);

        Assert.AreEqual("m", score.Model);
        CollectionAssert.AreEqual(new int?[] { 2, 1, null, null, null, null, null, null, null, null }, score.Ranks.ToArray());
        Assert.AreEqual(2, score.Found);
        var error = Assert.ThrowsExactly<ArgumentException>(() => EverydaySearches.Score("m", results.Take(9).ToList()));
        StringAssert.Contains(error.Message, "Expected 10 result lists");
    }

    [TestMethod]
    public void WithAnswers_AppendsOnlyTheMissingAnswers_OnceAndAfterTheCorpus()
    {
        string exists = "File.Exists(string? path) — method of System.IO.File";
        string join = "String.Join(string? separator, params string?[] value) — method of System.String";
        string other = "Console.Beep() — method of System.Console";
        var all = new[] { other, join, exists, join, "Math.Abs(int value) — method of System.Math" };

        var corpus = EverydaySearches.WithAnswers([other, exists], all);

        CollectionAssert.AreEqual(new[] { other, exists, join }, corpus);
        CollectionAssert.AreEqual(new[] { false, false, false, false, false, false, true, true, false, false },
            EverydaySearches.Answerable(corpus).ToArray());
    }

    [TestMethod]
    public void ToText_PrintsEachModelsRanks_AndTheCountOverAnswerableSearches()
    {
        var answerable = EverydaySearches.All.Select((_, s) => s != 9).ToList();
        var a = new EverydaySearchScore("TF-IDF", [1, null, 3, null, null, null, 2, null, null, null]);
        var b = new EverydaySearchScore("fine-tuned", [1, 2, 3, 4, 5, 1, 1, 1, 1, null]);

        string text = EverydaySearches.ToText(5, answerable, [a, b]);

        var lines = text.Split(Environment.NewLine);
        Assert.HasCount(12, lines);
        StringAssert.Contains(lines[0], "TF-IDF");
        StringAssert.Contains(lines[0], "fine-tuned");
        StringAssert.EndsWith(lines[2].TrimEnd(), "Clear() of a collection");
        StringAssert.Contains(lines[2], "  -           2");
        StringAssert.EndsWith(lines[10], "Directory.CreateDirectory / DirectoryInfo.Create (not in the corpus)");
        StringAssert.Contains(lines[11], "right member in the top 5");
        StringAssert.EndsWith(lines[11], "3/9         9/9");
    }
}
