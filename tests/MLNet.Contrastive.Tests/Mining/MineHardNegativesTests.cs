using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Evaluation;
using MLNet.Contrastive.Mining;
using MLNet.Contrastive.Tests.Encoders;
using MLNet.Contrastive.Tests.Text;
using MLNet.Contrastive.Tests.Transforms;

namespace MLNet.Contrastive.Tests.Mining;

/// <summary><c>mlContext.Data.MineHardNegatives</c> end to end, checked against a reference computed here from the model's vectors.</summary>
[TestClass]
public sealed class MineHardNegativesTests
{
    private static readonly string[] Words = ["the", "cat", "sat", "on", "mat", "dog", "a", "big", "red", "hello", "world"];

    public sealed class Pair
    {
        public string Anchor { get; set; } = string.Empty;

        public string Positive { get; set; } = string.Empty;

        public string? Topic { get; set; }

        public int Id { get; set; }
    }

    public sealed class CollidingPair
    {
        public string Anchor { get; set; } = string.Empty;

        public string Positive { get; set; } = string.Empty;

        public string Negative1 { get; set; } = "already here";
    }

    public sealed class Document
    {
        public string Text { get; set; } = string.Empty;
    }

    [TestMethod]
    public void Mine_EveryNegativeIsTheReferencesChoice_AndNeverAPositiveOfItsAnchorOrGroup()
    {
        using var model = Model();
        var mlContext = new MLContext(seed: 1);
        var pairs = Pairs(40, seed: 3);
        var options = new HardNegativeMiningOptions { NegativesPerAnchor = 2, GroupColumnName = nameof(Pair.Topic), MaxRank = 10 };

        var mined = mlContext.Data.MineHardNegatives(mlContext.Data.LoadFromEnumerable(pairs), model, options);

        var rows = Read(mined, 2);
        var expected = Reference(model, pairs, options);
        Assert.AreEqual(expected.Count(e => e is not null), rows.Count, "the rows that got 2 negatives, and only those");
        Assert.IsNotEmpty(rows);
        Console.WriteLine($"{rows.Count} of {pairs.Count} rows got 2 negatives");
        foreach (var (id, negatives) in rows)
        {
            var pair = pairs[id];
            CollectionAssert.AreEqual(expected[id], negatives, $"row {id}");
            var forbidden = pairs.Where(p => p.Anchor == pair.Anchor || (p.Topic is not null && p.Topic == pair.Topic)).Select(p => p.Positive).ToHashSet();
            Assert.IsFalse(negatives.Any(forbidden.Contains), $"row {id} took a positive of its anchor or group");
            Assert.IsFalse(negatives.Contains(pair.Anchor));
        }
    }

    [TestMethod]
    public void Mine_KeepsEveryColumnOfTheData_AndTrainsAsHardNegatives()
    {
        using var model = Model();
        var mlContext = new MLContext(seed: 1);
        var pairs = Pairs(24, seed: 5);
        var corpus = new[] { "hello world", "a big red mat", "the dog sat on the mat" }.Select(t => new Document { Text = t });
        var options = new HardNegativeMiningOptions { RelativeMargin = null, Corpus = mlContext.Data.LoadFromEnumerable(corpus) };

        var mined = mlContext.Data.MineHardNegatives(mlContext.Data.LoadFromEnumerable(pairs), model, options);

        CollectionAssert.AreEqual(new[] { "Anchor", "Positive", "Topic", "Id", "Negative1" }, mined.Schema.Select(c => c.Name).ToArray());
        Assert.AreEqual(NumberDataViewType.Int32, mined.Schema["Id"].Type);
        var ids = mined.GetColumn<int>("Id").ToArray();
        CollectionAssert.AreEqual(Enumerable.Range(0, pairs.Count).ToArray(), ids, "no margin: every row keeps its place");
        CollectionAssert.AreEqual(ids, mined.GetColumn<int>("Id").ToArray(), "a second cursor sees the same rows");
        var candidates = pairs.Select(p => p.Positive).Concat(corpus.Select(d => d.Text)).ToHashSet();
        Assert.IsTrue(mined.GetColumn<string>("Negative1").All(candidates.Contains));

        // The result is what ContrastiveEmbedding takes as hard negatives.
        var fitOptions = TestData.Options(dimension: 8);
        fitOptions.NegativeColumnNames = ["Negative1"];
        using var trained = mlContext.Transforms.ContrastiveEmbedding(fitOptions).Fit(mined);
        Assert.AreEqual(pairs.Count / fitOptions.BatchSize, trained.TrainingSummary!.Steps);
    }

    [TestMethod]
    public void Mine_FromAFittedTransformer_UsesItsModel()
    {
        var mlContext = new MLContext(seed: 1);
        var pairs = Pairs(16, seed: 7);
        var data = mlContext.Data.LoadFromEnumerable(pairs);
        var fitOptions = TestData.Options(dimension: 8);
        fitOptions.Epochs = 0;
        using var transformer = mlContext.Transforms.ContrastiveEmbedding(fitOptions).Fit(data);
        var options = new HardNegativeMiningOptions { RelativeMargin = null };

        var viaTransformer = mlContext.Data.MineHardNegatives(data, (ITransformer)transformer, options).GetColumn<string>("Negative1").ToArray();
        var viaModel = mlContext.Data.MineHardNegatives(data, transformer.Model, options).GetColumn<string>("Negative1").ToArray();

        CollectionAssert.AreEqual(viaModel, viaTransformer);
        var chain = new TransformerChain<ITransformer>(transformer);
        CollectionAssert.AreEqual(viaModel, mlContext.Data.MineHardNegatives(data, chain, options).GetColumn<string>("Negative1").ToArray());
        var error = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Data.MineHardNegatives(data, mlContext.Transforms.CopyColumns("A", "Anchor").Fit(data), options));
        Assert.AreEqual("model", error.ParamName);
    }

    [TestMethod]
    public void Mine_BadOptions_AreRefusedNamingTheOption()
    {
        using var model = Model();
        var mlContext = new MLContext(seed: 1);
        var pairs = Pairs(6, seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(pairs);
        var distinct = pairs.Select(p => p.Positive).Distinct().Count();

        string Refused(HardNegativeMiningOptions options) =>
            Assert.Throws<ArgumentException>(() => mlContext.Data.MineHardNegatives(data, model, options)).ParamName!;

        Assert.AreEqual("NegativesPerAnchor", Refused(new HardNegativeMiningOptions { NegativesPerAnchor = distinct, MaxRank = 100 }));
        Assert.AreEqual("SkipTopRanks", Refused(new HardNegativeMiningOptions { SkipTopRanks = distinct - 1, MaxRank = 100 }));
        Assert.AreEqual("MaxRank", Refused(new HardNegativeMiningOptions { NegativesPerAnchor = 3, SkipTopRanks = 4, MaxRank = 6 }));
        Assert.AreEqual("NegativesPerAnchor", Refused(new HardNegativeMiningOptions { NegativesPerAnchor = 0 }));
        Assert.AreEqual("RelativeMargin", Refused(new HardNegativeMiningOptions { RelativeMargin = 1.0 }));
        Assert.AreEqual("AbsoluteMargin", Refused(new HardNegativeMiningOptions { AbsoluteMargin = double.NaN }));
        var colliding = mlContext.Data.LoadFromEnumerable(pairs.Select(p => new CollidingPair { Anchor = p.Anchor, Positive = p.Positive }));
        var collision = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Data.MineHardNegatives(colliding, model));
        Assert.AreEqual("NegativeColumnPrefix", collision.ParamName);
        StringAssert.Contains(collision.Message, "'Negative1'");
        var missing = Assert.Throws<ArgumentException>(() => mlContext.Data.MineHardNegatives(data, model, new HardNegativeMiningOptions { PositiveColumnName = "Document" }));
        StringAssert.Contains(missing.Message, "Document");
        var wrongType = Assert.Throws<ArgumentException>(() => mlContext.Data.MineHardNegatives(data, model, new HardNegativeMiningOptions { AnchorColumnName = "Id" }));
        StringAssert.Contains(wrongType.Message, "Id");
    }

    [TestMethod]
    public void Mine_Cancelled_ThrowsAndReportedProgress()
    {
        using var model = Model();
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Pairs(12, seed: 2));
        using var cancel = new CancellationTokenSource();
        var reports = new List<HardNegativeMiningProgress>();
        var options = new HardNegativeMiningOptions
        {
            CancellationToken = cancel.Token,
            Progress = new Synchronous<HardNegativeMiningProgress>(p =>
            {
                reports.Add(p);
                cancel.Cancel();
            }),
        };

        Assert.ThrowsExactly<OperationCanceledException>(() => mlContext.Data.MineHardNegatives(data, model, options));
        Assert.AreEqual("embedding", reports[0].Stage);

        var done = new List<HardNegativeMiningProgress>();
        mlContext.Data.MineHardNegatives(data, model, new HardNegativeMiningOptions { Progress = new Synchronous<HardNegativeMiningProgress>(done.Add) });
        Assert.AreEqual(("searching", 12, 12), (done[^1].Stage, done[^1].Done, done[^1].Total));
    }

    // The same rules, computed here: cosine in double over the model's vectors, exclusions, window, margin, best k.
    private static string[]?[] Reference(EmbeddingModel model, List<Pair> pairs, HardNegativeMiningOptions options)
    {
        var corpus = pairs.Select(p => p.Positive).Distinct().ToList();
        var vectors = model.Encode(corpus);
        return pairs.Select(pair =>
        {
            var anchor = model.Encode([pair.Anchor])[0];
            var positive = CosineIndex.Cosine(anchor, model.Encode([pair.Positive])[0]);
            var forbidden = pairs.Where(p => p.Anchor == pair.Anchor || (p.Topic is not null && p.Topic == pair.Topic)).Select(p => p.Positive).Append(pair.Anchor).ToHashSet();
            var ranked = corpus.Select((text, i) => (text, score: CosineIndex.Cosine(anchor, vectors[i])))
                .Where(c => !forbidden.Contains(c.text)).OrderByDescending(c => c.score).Skip(options.SkipTopRanks).Take(options.MaxRank - options.SkipTopRanks)
                .Where(c => c.score <= positive * (1 - options.RelativeMargin!.Value)).Select(c => c.text).ToArray();
            return ranked.Length < options.NegativesPerAnchor ? null : ranked[..options.NegativesPerAnchor];
        }).ToArray();
    }

    private static List<(int Id, string[] Negatives)> Read(IDataView mined, int k)
    {
        var ids = mined.GetColumn<int>("Id").ToArray();
        var columns = Enumerable.Range(1, k).Select(i => mined.GetColumn<string>($"Negative{i}").ToArray()).ToArray();
        return ids.Select((id, r) => (id, columns.Select(c => c[r]).ToArray())).ToList();
    }

    // Pairs of short texts over the test vocabulary; every third row in no group, the rest in one of three topics;
    // some anchors repeat with another positive.
    private static List<Pair> Pairs(int count, int seed)
    {
        var random = new Random(seed);
        string Text() => string.Join(' ', Enumerable.Range(0, random.Next(2, 5)).Select(_ => Words[random.Next(Words.Length)]));
        var pairs = new List<Pair>();
        for (var i = 0; i < count; i++)
        {
            var anchor = i % 5 == 4 ? pairs[i - 1].Anchor : Text();
            pairs.Add(new Pair { Anchor = anchor, Positive = Text() + " " + i, Topic = i % 3 == 0 ? null : $"t{i % 4}", Id = i });
        }

        return pairs;
    }

    private static EmbeddingModel Model() => new(
        Contrastive.Text.TextTokenizer.FromBertVocabulary(TestVocabulary.WriteFile([.. TestVocabulary.Tokens, .. Enumerable.Range(0, 40).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]), lowerCase: true, maxTokens: 16),
        new StaticEncoder(TinyEncoders.Static() with { VocabularySize = 60, OutputDimension = null, EmbeddingSize = 16 }),
        null,
        DeviceKind.Cpu);

    private sealed class Synchronous<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
