using System.Diagnostics;
using System.Globalization;
using ExampleData;
using Microsoft.ML;
using MLNet.Contrastive.Evaluation;
using MLNet.Contrastive.Transforms;

namespace QuickStart;

/// <summary>
/// The whole QuickStart: build the retrieval task, score an untrained model and TF-IDF, train with gradient caching,
/// save the model, load it in a fresh <see cref="MLContext"/>, score it and answer searches. Program.cs is a thin CLI over it.
/// </summary>
public static class QuickStartRunner
{
    /// <summary>Runs the QuickStart and writes its report to <paramref name="output"/>.</summary>
    /// <param name="options">The options (validated here).</param>
    /// <param name="output">Where the progress, the metrics table and the search answers go.</param>
    /// <returns>Everything the run measured.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid (ParamName is the command-line option).</exception>
    /// <exception cref="DirectoryNotFoundException">No .NET SDK API documentation was found.</exception>
    /// <exception cref="InvalidDataException">The TSV file or the STS file is malformed.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    public static QuickStartResult Run(QuickStartOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        options.Validate();
        var timings = new List<(string, TimeSpan)>();
        var clock = Stopwatch.StartNew();
        void Phase(string name)
        {
            timings.Add((name, clock.Elapsed));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ({name}: {clock.Elapsed.TotalSeconds:0.0} s)"));
            clock.Restart();
        }

        output.WriteLine("1. Data");
        var data = QuickStartData.Load(options);
        output.WriteLine($"  {data.Description}");
        output.WriteLine($"  Test set: {data.TestNote}.");
        var similarityPairs = options.StsPath is null ? null : StsBenchmarkReader.Read(options.StsPath);
        if (similarityPairs is not null)
        {
            output.WriteLine($"  Similarity: {similarityPairs.Count} scored pairs from {options.StsPath}.");
        }

        Phase("data");

        var mlContext = new MLContext(seed: options.Seed);
        var trainView = QuickStartTraining.ToDataView(mlContext, data.TrainPairs, out int negatives);
        var bar = options.LiveProgressConsole is null ? null : new LiveProgressBar();
        IProgress<ContrastiveTrainingProgress> progress = bar ?? (IProgress<ContrastiveTrainingProgress>)new ProgressPrinter(output);
        var estimatorOptions = QuickStartTraining.EstimatorOptions(options, negatives, progress);
        ContrastiveEmbeddingTransformer WithProgress(Func<ContrastiveEmbeddingTransformer> fit) => bar is null ? fit() : bar.Run(options.LiveProgressConsole!, fit);
        if (!options.FromScratch)
        {
            return MainJob.Run(options, output, data, similarityPairs, mlContext, trainView, negatives, progress, WithProgress, Phase, timings);
        }

        output.WriteLine("2. Baselines on the test set");
        // The everyday searches ask for .NET API members: scored on the API-docs task only.
        var everyday = options.DataPath is null ? new List<EverydaySearchScore>() : null;
        RetrievalMetrics untrained;
        SimilarityMetrics? untrainedSimilarity = null;
        var initialOptions = QuickStartTraining.EstimatorOptions(options, negatives, progress: null);
        initialOptions.Epochs = 0; // no step: the exact model training starts from (tokenizer, vocabulary, architecture, seed)
        using (var initial = mlContext.Transforms.ContrastiveEmbedding(initialOptions).Fit(trainView))
        {
            untrained = QuickStartEvaluation.Trained(mlContext, initial, data.Test);
            if (similarityPairs is not null)
            {
                untrainedSimilarity = QuickStartEvaluation.Similarity(mlContext, initial, similarityPairs);
            }

            everyday?.Add(EverydaySearches.Score(mlContext, "untrained", initial, data.SearchCorpus, options.SearchResults));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  untrained model (same architecture, vocabulary and seed): MRR@10 {untrained.MrrAt10:0.0000}"));
        var tfIdf = QuickStartEvaluation.TfIdf(mlContext, data.Test);
        if (everyday is not null)
        {
            everyday.Add(EverydaySearches.ScoreTfIdf(mlContext, data.SearchCorpus, options.SearchResults));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  TF-IDF (ML.NET FeaturizeText, word 1-2-grams + char 3-grams): MRR@10 {tfIdf.MrrAt10:0.0000}"));
        Phase("baselines");

        output.WriteLine(TrainingLine(options, data.TrainPairs.Count, negatives));
        TrainingSummary summary;
        string modelPath = Path.GetFullPath(options.OutputPath);
        ContrastiveEmbeddingTransformer Fit() => mlContext.Transforms.ContrastiveEmbedding(estimatorOptions).Fit(trainView);
        using (var model = bar is null ? Fit() : bar.Run(options.LiveProgressConsole!, Fit))
        {
            summary = model.TrainingSummary!;
            Phase("training");
            mlContext.Model.SaveAtomically(model, trainView.Schema, modelPath);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {summary.Steps} steps; loss {summary.Losses[0]:0.000} -> {summary.Losses[^1]:0.000}; {summary.TruncatedTexts} texts truncated; " +
            $"saved {modelPath} ({new FileInfo(modelPath).Length / 1024.0 / 1024.0:0.0} MB)"));
        Phase("saving");

        output.WriteLine("4. Evaluation with the model loaded back from the file (fresh MLContext)");
        var freshContext = new MLContext(seed: options.Seed);
        var loaded = freshContext.Model.Load(modelPath, out _);
        try
        {
            var card = (loaded as ContrastiveEmbeddingTransformer ?? ((IEnumerable<ITransformer>)loaded).OfType<ContrastiveEmbeddingTransformer>().Single()).ModelCard;
            output.WriteLine("  Model card (saved in the zip):");
            foreach (var line in (card?.ToString() ?? "none (a model saved before format 1.2)").Split(Environment.NewLine))
            {
                output.WriteLine("    " + line);
            }

            var trained = QuickStartEvaluation.Trained(freshContext, loaded, data.Test);
            double random = Math.Min(1.0, 10.0 / data.Test.Corpus.Count);
            output.WriteLine();
            output.WriteLine(MetricsReport.ToText(("untrained", untrained), ("TF-IDF", tfIdf), ("trained", trained)));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  (a random ranking has Recall@10 = 10/{data.Test.Corpus.Count} = {random:0.0000} in expectation; test set: {data.TestNote})"));
            var trainedSimilarity = similarityPairs is null ? null : QuickStartEvaluation.Similarity(freshContext, loaded, similarityPairs);
            if (trainedSimilarity is not null)
            {
                output.WriteLine(QuickStartEvaluation.SimilarityLine(options.StsPath!, similarityPairs!.Count, "untrained", untrainedSimilarity!, "trained", trainedSimilarity));
            }

            Phase("evaluation");

            output.WriteLine($"5. Searches over {data.SearchCorpus.Count} documents with the loaded model");
            var answers = Searches(output, freshContext, loaded, data.SearchCorpus, options, everyday, "trained");
            Phase("searches");
            return new QuickStartResult(data, untrained, tfIdf, trained, random, summary, modelPath, answers, timings, card,
                UntrainedSimilarity: untrainedSimilarity, TrainedSimilarity: trainedSimilarity, SearchedCorpus: data.SearchCorpus,
                EverydaySearches: everyday);
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }

    /// <summary>Step 5: answers the options' searches with the loaded model and prints them; then, when
    /// <paramref name="everyday"/> is given, scores the model on the everyday searches (one embedding of the corpus for
    /// both), appends its score and prints the table of every model's ranks.</summary>
    internal static IReadOnlyList<SearchAnswer> Searches(TextWriter output, MLContext mlContext, ITransformer model, IReadOnlyList<string> corpus,
        QuickStartOptions options, List<EverydaySearchScore>? everyday, string modelName)
    {
        var queries = everyday is null ? options.Searches : options.Searches.Concat(EverydaySearches.All.Select(s => s.Query)).ToList();
        var all = QuickStartSearch.Answer(mlContext, model, corpus, queries, options.SearchResults);
        var answers = all.Take(options.Searches.Count).ToList();
        foreach (var answer in answers)
        {
            output.WriteLine($"  \"{answer.Query}\"");
            foreach (var (document, score) in answer.Results)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {score:0.000}  {document}"));
            }
        }

        if (everyday is null)
        {
            return answers;
        }

        everyday.Add(EverydaySearches.Score(modelName,
            all.Skip(options.Searches.Count).Select(a => (IReadOnlyList<string>)a.Results.Select(r => r.Document).ToList()).ToList()));
        output.WriteLine();
        output.WriteLine($"  Everyday searches (written before any model was scored on them): rank of the first right member in the top {options.SearchResults}");
        output.WriteLine(EverydaySearches.ToText(options.SearchResults, EverydaySearches.Answerable(corpus), everyday));
        return answers;
    }

    /// <summary>The line that announces a from-scratch training run.</summary>
    internal static string TrainingLine(QuickStartOptions options, int pairs, int negatives) => string.Create(CultureInfo.InvariantCulture,
        $"3. Training: {options.Encoder} encoder, width {options.Width}{(options.Encoder == MLNet.Contrastive.Encoders.EncoderKind.Transformer ? $", {options.Layers} layers" : "")}, " +
        $"{options.MaxTokens} tokens, InfoNCE (τ 0.05), batch {options.BatchSize} in chunks of {options.ChunkSize} (gradient cache), " +
        $"{options.Epochs} epoch(s), {pairs} pairs{(negatives > 0 ? $" with {negatives} hard negative(s) each" : "")}");
}
