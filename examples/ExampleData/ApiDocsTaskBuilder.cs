using MLNet.Contrastive.Evaluation;

namespace ExampleData;

/// <summary>
/// Builds the API-docs retrieval task from .NET XML documentation: query = a member's summary, document = its readable
/// signature. Members with identical summaries form one group. The split is by declaring type, so no type has members
/// on both sides.
/// </summary>
/// <remarks>
/// Procedure, deterministic for a given input and <see cref="ApiDocsTaskOptions.Seed"/>: members of excluded
/// namespaces are dropped; the declaring types are sorted (ordinal) and shuffled with <c>new Random(Seed)</c>; whole
/// types are taken in that order until <see cref="ApiDocsTaskOptions.MaximumMembers"/> is reached; then the first types
/// of that order go to the test set until it holds at least <see cref="ApiDocsTaskOptions.TestFraction"/> of the
/// members, the rest to training. Group ids number the distinct summaries in documentation-id order.
/// </remarks>
public static class ApiDocsTaskBuilder
{
    /// <summary>Reads the XML documentation files of <see cref="ApiDocsTaskOptions.XmlDocsFolder"/> (or of the installed
    /// SDK) and builds the task.</summary>
    /// <param name="options">The options; defaults when null.</param>
    /// <returns>The task.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist, holds no *.xml file, or (no folder given)
    /// no .NET SDK reference pack was found; the message says what is missing and how to point at it.</exception>
    /// <exception cref="InvalidDataException">A documentation file is not well-formed XML.</exception>
    /// <exception cref="ArgumentException">Too few usable members or types to make both sets.</exception>
    public static ApiDocsTask Build(ApiDocsTaskOptions? options = null)
    {
        options ??= new ApiDocsTaskOptions();
        Validate(options);
        string folder = options.XmlDocsFolder ?? DotNetSdkLocator.FindReferenceDocsFolder();
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The XML documentation folder '{folder}' (ApiDocsTaskOptions.XmlDocsFolder) does not exist.");
        }

        string[] files = Directory.GetFiles(folder, "*.xml");
        if (files.Length == 0)
        {
            throw new DirectoryNotFoundException($"The folder '{folder}' holds no *.xml documentation file; point ApiDocsTaskOptions.XmlDocsFolder at a folder such as <dotnet root>/packs/Microsoft.NETCore.App.Ref/<version>/ref/<tfm>.");
        }

        return Build(ApiDocsReader.ReadMembers(files), options);
    }

    /// <summary>Builds the task from members already read (see <see cref="ApiDocsReader.ReadMembers"/>).</summary>
    /// <param name="members">The documented members.</param>
    /// <param name="options">The options (<see cref="ApiDocsTaskOptions.XmlDocsFolder"/> is ignored); defaults when null.</param>
    /// <returns>The task.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="members"/> or a member is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">Fewer than two declaring types remain, so no split is possible.</exception>
    public static ApiDocsTask Build(IReadOnlyList<ApiMember> members, ApiDocsTaskOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        options ??= new ApiDocsTaskOptions();
        Validate(options);
        var excluded = options.ExcludedNamespacePrefixes ?? [];
        var byType = members
            .Select(m => m ?? throw new ArgumentNullException(nameof(members), "A member is null."))
            .Where(m => !excluded.Any(p => m.DeclaringTypeId == p || m.DeclaringTypeId.StartsWith(p + ".", StringComparison.Ordinal)))
            .GroupBy(m => m.DeclaringTypeId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(m => m.DocId, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        if (byType.Count < 2)
        {
            throw new ArgumentException($"Expected members of at least 2 declaring types to split, found {byType.Count}.", nameof(members));
        }

        var typeOrder = byType.Keys.Order(StringComparer.Ordinal).ToArray();
        new Random(options.Seed).Shuffle(typeOrder);

        int budget = options.MaximumMembers ?? int.MaxValue;
        var selected = new List<(string Type, List<ApiMember> Members)>();
        int total = 0;
        foreach (string type in typeOrder)
        {
            if (total >= budget)
            {
                break;
            }

            var taken = byType[type].Take(budget - total).ToList();
            selected.Add((type, taken));
            total += taken.Count;
        }
        if (selected.Count < 2)
        {
            throw new ArgumentException($"MaximumMembers = {budget} selects a single declaring type; expected at least 2 to split.", nameof(options));
        }

        int testTarget = Math.Max(1, (int)Math.Round(options.TestFraction * total));
        var test = new List<(string Type, List<ApiMember> Members)>();
        int testCount = 0;
        foreach (var entry in selected.Take(selected.Count - 1)) // at least one type stays for training
        {
            if (testCount >= testTarget)
            {
                break;
            }

            test.Add(entry);
            testCount += entry.Members.Count;
        }
        var train = selected.Skip(test.Count).ToList();

        var groups = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var member in selected.SelectMany(s => s.Members).OrderBy(m => m.DocId, StringComparer.Ordinal))
        {
            groups.TryAdd(member.Summary, groups.Count);
        }

        var trainPairs = train.SelectMany(t => t.Members)
            .OrderBy(m => m.DocId, StringComparer.Ordinal)
            .Select(m => new ContrastivePair(m.Summary, m.Signature, [], groups[m.Summary]))
            .ToList();
        var testMembers = test.SelectMany(t => t.Members).OrderBy(m => m.DocId, StringComparer.Ordinal).ToList();
        var queries = testMembers.Select(m => m.Summary).Distinct(StringComparer.Ordinal).OrderBy(s => groups[s]).ToList();
        var queryIndex = queries.Select((q, i) => (q, i)).ToDictionary(x => x.q, x => x.i, StringComparer.Ordinal);
        var relevant = queries.Select(_ => new List<int>()).ToArray();
        for (int d = 0; d < testMembers.Count; d++)
        {
            relevant[queryIndex[testMembers[d].Summary]].Add(d);
        }

        var dataset = new RetrievalDataset(queries, testMembers.Select(m => m.Signature).ToList(), relevant);

        var trainAnchors = trainPairs.Select(p => p.Anchor).ToHashSet(StringComparer.Ordinal);
        return new ApiDocsTask(trainPairs, dataset,
            train.Select(t => t.Type).Order(StringComparer.Ordinal).ToList(),
            test.Select(t => t.Type).Order(StringComparer.Ordinal).ToList(),
            queries.Count(trainAnchors.Contains));
    }

    private static void Validate(ApiDocsTaskOptions options)
    {
        if (options.MaximumMembers is int max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 2, "options.MaximumMembers");
        }

        if (!(options.TestFraction > 0 && options.TestFraction < 1))
        {
            throw new ArgumentOutOfRangeException("options.TestFraction", options.TestFraction, "Expected a fraction strictly between 0 and 1.");
        }
    }
}
