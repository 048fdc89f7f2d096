using System.Globalization;
using ExampleData;
using Microsoft.ML;
using MLNet.Contrastive.Evaluation;
using MLNet.Contrastive.Transforms;

namespace QuickStart;

/// <summary>
/// The main job: TF-IDF, all-MiniLM-L6-v2 off the shelf, a model trained from scratch, and MiniLM fine-tuned with the
/// gradient cache on a sample of the training pairs, side by side on one test set; then the searches with the saved,
/// reloaded fine-tuned model.
/// </summary>
internal static class MainJob
{
    /// <summary>Runs steps 2 to 5 of the main job after the data is loaded.</summary>
    internal static QuickStartResult Run(QuickStartOptions options, TextWriter output, QuickStartData data, IReadOnlyList<ScoredPair>? similarityPairs, MLContext mlContext,
        IDataView trainView, int negatives, IProgress<ContrastiveTrainingProgress> progress,
        Func<Func<ContrastiveEmbeddingTransformer>, ContrastiveEmbeddingTransformer> withProgress, Action<string> phase, List<(string, TimeSpan)> timings)
    {
        output.WriteLine("2. Baselines on the test set");
        var tfIdf = QuickStartEvaluation.TfIdf(mlContext, data.Test);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  TF-IDF (ML.NET FeaturizeText, word 1-2-grams + char 3-grams): MRR@10 {tfIdf.MrrAt10:0.0000}"));
        var corpus = SearchCorpus(data, options.MaxSearchDocuments, options.Seed);
        var everyday = new List<EverydaySearchScore>();
        bool scoreEveryday = options.DataPath is null; // the everyday searches ask for .NET API members
        if (scoreEveryday)
        {
            everyday.Add(EverydaySearches.ScoreTfIdf(mlContext, corpus, options.SearchResults));
        }

        var pairs = Sample(data.TrainPairs, options.FineTunePairs, options.Seed);
        var fineTuneView = QuickStartTraining.ToDataView(mlContext, pairs, out int fineTuneNegatives);
        RetrievalMetrics offTheShelf;
        SimilarityMetrics? offTheShelfSimilarity = null;
        using (var initial = mlContext.Transforms.ContrastiveEmbedding(PretrainedStart.EstimatorOptions(options, fineTuneNegatives, 0, null)).Fit(fineTuneView))
        {
            offTheShelf = QuickStartEvaluation.Trained(mlContext, initial, data.Test);
            if (similarityPairs is not null)
            {
                offTheShelfSimilarity = QuickStartEvaluation.Similarity(mlContext, initial, similarityPairs);
            }

            if (scoreEveryday)
            {
                everyday.Add(EverydaySearches.Score(mlContext, "off the shelf", initial, corpus, options.SearchResults));
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {PretrainedStart.ModelName} off the shelf: MRR@10 {offTheShelf.MrrAt10:0.0000}"));
        phase("baselines");

        output.WriteLine(QuickStartRunner.TrainingLine(options, data.TrainPairs.Count, negatives).Replace("3. Training:", "3a. From scratch:", StringComparison.Ordinal));
        RetrievalMetrics fromScratch;
        using (var scratch = withProgress(() => mlContext.Transforms.ContrastiveEmbedding(QuickStartTraining.EstimatorOptions(options, negatives, progress)).Fit(trainView)))
        {
            fromScratch = QuickStartEvaluation.Trained(mlContext, scratch, data.Test);
            if (scoreEveryday)
            {
                everyday.Add(EverydaySearches.Score(mlContext, "from scratch", scratch, corpus, options.SearchResults));
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  from scratch: MRR@10 {fromScratch.MrrAt10:0.0000}"));
        phase("from scratch");

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"3b. Fine-tuning {PretrainedStart.ModelName}: {options.FineTuneMaxTokens} tokens, lowest {options.FrozenLayers} of 6 layers frozen, " +
            $"InfoNCE (τ 0.05), batch {options.FineTuneBatchSize} in chunks of {options.FineTuneChunkSize} (gradient cache), lr {options.FineTuneLearningRate}, " +
            $"{options.FineTuneEpochs} epoch(s), {pairs.Count} of {data.TrainPairs.Count} training pairs (seeded sample)"));
        TrainingSummary summary;
        string modelPath = Path.GetFullPath(options.OutputPath);
        using (var model = withProgress(() => mlContext.Transforms.ContrastiveEmbedding(PretrainedStart.EstimatorOptions(options, fineTuneNegatives, options.FineTuneEpochs, progress)).Fit(fineTuneView)))
        {
            summary = model.TrainingSummary!;
            phase("fine-tuning");
            mlContext.Model.SaveAtomically(model, fineTuneView.Schema, modelPath);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {summary.Steps} steps in {summary.Elapsed.TotalSeconds:0} s ({summary.Examples * options.FineTuneEpochs / Math.Max(1e-9, summary.Elapsed.TotalSeconds):0.0} examples/s); " +
            $"loss {summary.Losses[0]:0.000} -> {summary.Losses[^1]:0.000}; {summary.TruncatedTexts} texts truncated; " +
            $"saved {modelPath} ({new FileInfo(modelPath).Length / 1024.0 / 1024.0:0.0} MB)"));
        phase("saving");

        output.WriteLine("4. Evaluation with the fine-tuned model loaded back from the file (fresh MLContext)");
        var freshContext = new MLContext(seed: options.Seed);
        var loaded = freshContext.Model.Load(modelPath, out _);
        try
        {
            var card = (loaded as ContrastiveEmbeddingTransformer ?? ((IEnumerable<ITransformer>)loaded).OfType<ContrastiveEmbeddingTransformer>().Single()).ModelCard;
            output.WriteLine("  Model card (saved in the zip):");
            foreach (var line in (card?.ToString() ?? "none").Split(Environment.NewLine))
            {
                output.WriteLine($"    {line}");
            }

            var fineTuned = QuickStartEvaluation.Trained(freshContext, loaded, data.Test);
            double random = Math.Min(1.0, 10.0 / data.Test.Corpus.Count);
            output.WriteLine();
            output.WriteLine(MetricsReport.ToText(("TF-IDF", tfIdf), ("off the shelf", offTheShelf), ("from scratch", fromScratch), ("fine-tuned", fineTuned)));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  (a random ranking has Recall@10 = 10/{data.Test.Corpus.Count} = {random:0.0000} in expectation; test set: {data.TestNote})"));
            var fineTunedSimilarity = similarityPairs is null ? null : QuickStartEvaluation.Similarity(freshContext, loaded, similarityPairs);
            if (fineTunedSimilarity is not null)
            {
                output.WriteLine(QuickStartEvaluation.SimilarityLine(options.StsPath!, similarityPairs!.Count, "off the shelf", offTheShelfSimilarity!, "fine-tuned", fineTunedSimilarity));
            }

            phase("evaluation");

            output.WriteLine($"5. Searches over {corpus.Count} documents (all test documents, a seeded sample of training documents and the " +
                $"everyday searches' answers, of {data.SearchCorpus.Count}) with the loaded model");
            var answers = QuickStartRunner.Searches(output, freshContext, loaded, corpus, options, scoreEveryday ? everyday : null, "fine-tuned");
            phase("searches");
            return new QuickStartResult(data, offTheShelf, tfIdf, fineTuned, random, summary, modelPath, answers, timings, card, fromScratch,
                offTheShelfSimilarity, fineTunedSimilarity, corpus, scoreEveryday ? everyday : null);
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }

    private static List<ContrastivePair> Sample(IReadOnlyList<ContrastivePair> pairs, int count, int seed)
    {
        var order = Enumerable.Range(0, pairs.Count).ToArray();
        new Random(seed).Shuffle(order);
        return order.Take(count).Order().Select(i => pairs[i]).ToList();
    }

    // All test documents, a seeded sample of the others up to max, then the everyday searches' answers the sample lacks
    // (so every everyday search can be answered; every model searches this same corpus).
    private static List<string> SearchCorpus(QuickStartData data, int max, int seed)
    {
        if (data.SearchCorpus.Count <= max)
        {
            return data.SearchCorpus.ToList();
        }

        var test = data.Test.Corpus.ToHashSet(StringComparer.Ordinal);
        var others = data.SearchCorpus.Where(d => !test.Contains(d)).ToArray();
        new Random(seed).Shuffle(others);
        return EverydaySearches.WithAnswers(data.Test.Corpus.Concat(others.Take(Math.Max(0, max - test.Count))).ToList(), data.SearchCorpus);
    }
}
