using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML;
using MLNet.Contrastive.Evaluation;

namespace QuickStart;

/// <summary>One everyday programming task asked in plain words, and the API members that answer it.</summary>
/// <param name="Query">The search, as a user would type it.</param>
/// <param name="Answer">The answer in words (for the report), for example <c>File.ReadAllText</c>.</param>
/// <param name="Pattern">Matches the signature documents (<c>File.ReadAllText(string path) — method of System.IO.File</c>)
/// of the members that answer the search, any overload.</param>
public sealed record EverydaySearch(string Query, string Answer, Regex Pattern)
{
    /// <summary>Whether <paramref name="document"/> is a right answer.</summary>
    /// <param name="document">A signature document of the API-docs task.</param>
    /// <returns>True when the document is one of the members that answer the search.</returns>
    public bool IsRight(string document) => Pattern.IsMatch(document);
}

/// <summary>How one model did on the everyday searches: for each search, the rank (1-based) of the first right member
/// in its top results, or null when none of them is right.</summary>
/// <param name="Model">The model's name in the report.</param>
/// <param name="Ranks">One entry per search of <see cref="EverydaySearches.All"/>, in order.</param>
public sealed record EverydaySearchScore(string Model, IReadOnlyList<int?> Ranks)
{
    /// <summary>How many searches have a right member in the top results.</summary>
    public int Found => Ranks.Count(r => r is not null);
}

/// <summary>
/// Ten everyday tasks searched over the API-docs corpus in plain words (not in the API's own wording), scored by
/// whether a right member is among the top five. Written down before any model was scored on them and never used to
/// choose an option, so they are held out from every decision the QuickStart's defaults rest on.
/// </summary>
public static class EverydaySearches
{
    private static Regex Members(string pattern) => new("^(?:" + pattern + ")", RegexOptions.CultureInvariant);

    /// <summary>The ten searches with the members that answer them.</summary>
    public static IReadOnlyList<EverydaySearch> All { get; } =
    [
        new("check whether a text contains a given word", "String.Contains", Members(@"String\.Contains\(")),
        new("remove all items from a list", "Clear() of a collection", Members(@"[\w.]+(?:<[^>]+>)?\.Clear\(\) — method of System\.Collections\.")),
        new("read the whole contents of a text file into a string", "File.ReadAllText", Members(@"File\.ReadAllText(?:Async)?\(")),
        new("convert text to upper case", "String.ToUpper", Members(@"String\.ToUpper(?:Invariant)?\(")),
        new("build a file path from a folder and a file name", "Path.Combine / Path.Join", Members(@"Path\.(?:Combine|Join)\(")),
        new("pause the program for a few seconds", "Thread.Sleep / Task.Delay", Members(@"Thread\.Sleep\(|Task\.Delay\(")),
        new("check whether a file exists", "File.Exists", Members(@"File\.Exists\(")),
        new("join a list of strings with a separator", "String.Join", Members(@"String\.Join\(")),
        new("generate a random number", "Random.Next*", Members(@"Random\.Next\w*\(")),
        new("create a new folder", "Directory.CreateDirectory / DirectoryInfo.Create", Members(@"Directory\.CreateDirectory\(|DirectoryInfo\.Create\(")),
    ];

    /// <summary>The documents of <paramref name="documents"/> that answer some everyday search, in order.</summary>
    /// <param name="documents">Signature documents.</param>
    /// <returns>The right answers found among them.</returns>
    public static IReadOnlyList<string> Answers(IEnumerable<string> documents) =>
        documents.Where(d => All.Any(s => s.IsRight(d))).ToList();

    /// <summary>For each search, whether <paramref name="corpus"/> holds a right answer (a search without one cannot be found by any model).</summary>
    /// <param name="corpus">The documents searched.</param>
    /// <returns>One flag per search of <see cref="All"/>, in order.</returns>
    public static IReadOnlyList<bool> Answerable(IReadOnlyList<string> corpus) =>
        All.Select(s => corpus.Any(s.IsRight)).ToList();

    /// <summary>A search corpus in which every search the documents can answer is answerable: <paramref name="corpus"/>
    /// followed by the right answers in <paramref name="allDocuments"/> it lacks.</summary>
    /// <param name="corpus">The documents searched (for example a sample of <paramref name="allDocuments"/>).</param>
    /// <param name="allDocuments">Every document of the task.</param>
    /// <returns>The corpus with the missing answers appended.</returns>
    public static List<string> WithAnswers(IReadOnlyList<string> corpus, IEnumerable<string> allDocuments)
    {
        var present = corpus.ToHashSet(StringComparer.Ordinal);
        return corpus.Concat(Answers(allDocuments).Where(present.Add)).ToList();
    }

    /// <summary>Scores one model from its top results for each search.</summary>
    /// <param name="model">The model's name in the report.</param>
    /// <param name="results">For each search of <see cref="All"/>, in order, the documents found, best first.</param>
    /// <returns>The score.</returns>
    /// <exception cref="ArgumentException">Not one result list per search.</exception>
    public static EverydaySearchScore Score(string model, IReadOnlyList<IReadOnlyList<string>> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count != All.Count)
        {
            throw new ArgumentException($"Expected {All.Count} result lists (one per everyday search), got {results.Count}.", nameof(results));
        }

        var ranks = All.Select((search, s) =>
        {
            int first = results[s].ToList().FindIndex(search.IsRight);
            return first < 0 ? (int?)null : first + 1;
        }).ToList();
        return new EverydaySearchScore(model, ranks);
    }

    /// <summary>Scores a fitted or loaded embedding model: exact cosine top-<paramref name="k"/> over the corpus.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="name">The model's name in the report.</param>
    /// <param name="model">The model.</param>
    /// <param name="corpus">The documents searched.</param>
    /// <param name="k">How many results count.</param>
    /// <returns>The score.</returns>
    public static EverydaySearchScore Score(MLContext mlContext, string name, ITransformer model, IReadOnlyList<string> corpus, int k) =>
        Score(name, QuickStartSearch.Answer(mlContext, model, corpus, All.Select(s => s.Query).ToList(), k)
            .Select(a => (IReadOnlyList<string>)a.Results.Select(r => r.Document).ToList()).ToList());

    /// <summary>Scores TF-IDF (ML.NET's FeaturizeText fitted on the corpus and the searches, sparse cosine top-<paramref name="k"/>).</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="corpus">The documents searched.</param>
    /// <param name="k">How many results count.</param>
    /// <returns>The score, named "TF-IDF".</returns>
    public static EverydaySearchScore ScoreTfIdf(MLContext mlContext, IReadOnlyList<string> corpus, int k)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var queries = All.Select(s => s.Query).ToList();
        var tfIdf = TfIdfBaseline.Fit(mlContext, corpus.Concat(queries));
        var hits = new CosineIndex(tfIdf.EmbedSparse(corpus)).Search(tfIdf.EmbedSparse(queries), k);
        return Score("TF-IDF", hits.Select(h => (IReadOnlyList<string>)h.Select(x => corpus[x.Index]).ToList()).ToList());
    }

    /// <summary>The report: one row per search, one column per model, the rank of the first right member or a dash.</summary>
    /// <param name="k">How many results counted.</param>
    /// <param name="answerable">For each search, whether the corpus held a right answer (<see cref="Answerable"/>).</param>
    /// <param name="scores">The models' scores, in column order.</param>
    /// <returns>The table as text.</returns>
    public static string ToText(int k, IReadOnlyList<bool> answerable, IReadOnlyList<EverydaySearchScore> scores)
    {
        ArgumentNullException.ThrowIfNull(answerable);
        ArgumentNullException.ThrowIfNull(scores);
        int queryWidth = All.Max(s => s.Query.Length) + 2;
        var text = new StringBuilder();
        text.Append("  ").Append("search".PadRight(queryWidth));
        foreach (var score in scores)
        {
            text.Append(score.Model.PadLeft(Math.Max(score.Model.Length, 6) + 2));
        }

        text.AppendLine("  right answer");
        for (int s = 0; s < All.Count; s++)
        {
            text.Append("  ").Append(All[s].Query.PadRight(queryWidth));
            foreach (var score in scores)
            {
                text.Append((score.Ranks[s]?.ToString(CultureInfo.InvariantCulture) ?? "-").PadLeft(Math.Max(score.Model.Length, 6) + 2));
            }

            text.Append("  ").AppendLine(answerable[s] ? All[s].Answer : All[s].Answer + " (not in the corpus)");
        }

        text.Append("  ").Append($"right member in the top {k}".PadRight(queryWidth));
        foreach (var score in scores)
        {
            text.Append($"{score.Found}/{answerable.Count(a => a)}".PadLeft(Math.Max(score.Model.Length, 6) + 2));
        }

        return text.ToString();
    }
}
