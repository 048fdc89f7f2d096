using ExampleData;

namespace MLNet.Contrastive.Experiments;

/// <summary>
/// Training data for STS-B: SNLI (dev + test) premises with their first entailment hypothesis as positive and their
/// first contradiction hypothesis as hard negative, plus STS-B train pairs scoring at least 4, whose negative is a
/// random other STS-B train sentence (seeded). One training set, one negative column. Validation: STS-B dev pairs
/// scoring at least 4 (recall@1 of first against second sentences). Test: all STS-B test pairs with gold scores.
/// </summary>
internal sealed record StsTask(List<TrainingRow> Train, int SnliTriplets, int StsPairs, List<TrainingRow> Validation, List<ScoredPair> Test)
{
    internal static StsTask Build(string dataDirectory, int seed, int? maximumTriplets)
    {
        var random = new Random(seed);
        var snliDirectory = Path.Combine(dataDirectory, "snli");
        var triplets = new List<TrainingRow>();
        foreach (var split in new[] { "dev", "test" })
        {
            foreach (var premise in DataFiles.ReadSnli(snliDirectory, split).GroupBy(r => r.Premise))
            {
                var entailment = premise.FirstOrDefault(r => r.Label == "entailment").Hypothesis;
                var contradiction = premise.FirstOrDefault(r => r.Label == "contradiction").Hypothesis;
                if (!string.IsNullOrEmpty(entailment) && !string.IsNullOrEmpty(contradiction) && premise.Key.Length > 0)
                {
                    triplets.Add(new TrainingRow { Anchor = premise.Key, Positive = entailment, Negative = contradiction, Group = "snli:" + premise.Key });
                }
            }
        }

        if (maximumTriplets is { } max)
        {
            triplets = triplets.Take(max).ToList();
        }

        var stsTrain = StsBenchmarkReader.Read(Path.Combine(dataDirectory, "stsbenchmark", "sts-train.csv"));
        var stsRows = WithRandomNegatives(stsTrain, random, "sts:");
        var stsDev = StsBenchmarkReader.Read(Path.Combine(dataDirectory, "stsbenchmark", "sts-dev.csv"));
        var validation = WithRandomNegatives(stsDev, random, "dev:");
        var test = StsBenchmarkReader.Read(Path.Combine(dataDirectory, "stsbenchmark", "sts-test.csv"));
        var train = triplets.Concat(stsRows).ToList();
        return new StsTask(train, triplets.Count, stsRows.Count, validation, test);
    }

    private static List<TrainingRow> WithRandomNegatives(List<ScoredPair> pairs, Random random, string groupPrefix)
    {
        var sentences = pairs.SelectMany(p => new[] { p.First, p.Second }).ToArray();
        var rows = new List<TrainingRow>();
        foreach (var (p, i) in pairs.Select((p, i) => (p, i)).Where(x => x.p.Score >= 4.0))
        {
            string negative;
            do { negative = sentences[random.Next(sentences.Length)]; } while (negative == p.First || negative == p.Second);
            rows.Add(new TrainingRow { Anchor = p.First, Positive = p.Second, Negative = negative, Group = groupPrefix + i });
        }

        return rows;
    }
}
