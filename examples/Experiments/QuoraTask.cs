using MLNet.Contrastive.Evaluation;

namespace MLNet.Contrastive.Experiments;

/// <summary>
/// Quora duplicate-question retrieval built from quora-dev.csv. Questions are keyed by their lower-cased trimmed text;
/// duplicate pairs link keys into groups (connected components). Whole groups go to test, validation or training, so no
/// test question (or a duplicate of it) is trained on. Test: query = a group's question1, corpus = the test groups'
/// question2s plus distractors (questions of non-duplicate rows in no duplicate group), relevant = the corpus questions of
/// the query's group. Training rows carry their group as the group key, so duplicates are never each other's negatives.
/// </summary>
internal sealed record QuoraTask(List<TrainingRow> Train, List<TrainingRow> Validation, RetrievalDataset Test, int TestGroups, int Distractors)
{
    internal static QuoraTask Build(string path, int testPairs, int validationPairs, int distractors, int seed)
    {
        var rows = DataFiles.ReadQuora(path);
        static string Key(string q) => q.Trim().ToLowerInvariant();
        var duplicates = rows.Where(r => r.Duplicate && Key(r.Question1) != Key(r.Question2)).ToList();

        var parent = new Dictionary<string, string>();
        string Find(string k)
        {
            parent.TryAdd(k, k);
            while (parent[k] != k) { parent[k] = parent[parent[k]]; k = parent[k]; }
            return k;
        }

        foreach (var (q1, q2, _) in duplicates)
        {
            var (a, b) = (Find(Key(q1)), Find(Key(q2)));
            if (a != b)
            {
                parent[a] = b;
            }
        }

        var groups = duplicates.GroupBy(d => Find(Key(d.Question1))).ToList();
        var random = new Random(seed);
        groups = groups.OrderBy(_ => random.Next()).ToList();

        var test = new List<(string Q1, string Q2, bool)>();
        var validation = new List<TrainingRow>();
        var train = new List<TrainingRow>();
        var testGroupCount = 0;
        foreach (var g in groups)
        {
            if (test.Count < testPairs) { test.AddRange(g); testGroupCount++; }
            else if (validation.Count < validationPairs)
            {
                validation.AddRange(g.Select(p => Row(p.Question1, p.Question2, g.Key)));
            }
            else
            {
                train.AddRange(g.Select(p => Row(p.Question1, p.Question2, g.Key)));
            }
        }

        // Corpus: distinct question2s of the test pairs, then distractors; queries: distinct question1s not in the corpus.
        var corpus = new List<string>();
        var corpusKeys = new Dictionary<string, int>();
        foreach (var (_, q2, _) in test)
        {
            if (corpusKeys.TryAdd(Key(q2), corpus.Count))
            {
                corpus.Add(q2);
            }
        }

        var usedKeys = new HashSet<string>(parent.Keys);
        var pool = rows.Where(r => !r.Duplicate).SelectMany(r => new[] { r.Question1, r.Question2 })
            .Where(q => q.Length > 0 && !usedKeys.Contains(Key(q))).DistinctBy(Key).OrderBy(_ => random.Next()).Take(distractors).ToList();
        foreach (var q in pool)
        {
            if (corpusKeys.TryAdd(Key(q), corpus.Count))
            {
                corpus.Add(q);
            }
        }

        var queries = new List<string>();
        var relevant = new List<IReadOnlyCollection<int>>();
        foreach (var (q1, _, _) in test.DistinctBy(p => Key(p.Q1)))
        {
            if (corpusKeys.ContainsKey(Key(q1)))
            {
                continue;
            }

            var group = Find(Key(q1));
            var positions = corpusKeys.Where(kv => parent.ContainsKey(kv.Key) && Find(kv.Key) == group).Select(kv => kv.Value).ToArray();
            if (positions.Length == 0)
            {
                continue;
            }

            queries.Add(q1);
            relevant.Add(positions);
        }

        return new QuoraTask(train, validation, new RetrievalDataset(queries, corpus, relevant), testGroupCount, pool.Count);
    }

    private static TrainingRow Row(string anchor, string positive, string group) =>
        new() { Anchor = anchor, Positive = positive, Negative = positive, Group = group };
}
