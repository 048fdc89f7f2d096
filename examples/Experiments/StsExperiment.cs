using System.Diagnostics;
using System.Text;
using Microsoft.ML;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Evaluation;
using MLNet.Contrastive.Losses;

namespace MLNet.Contrastive.Experiments;

/// <summary>Experiment 1: STS-B Spearman of an encoder trained from scratch on SNLI triplets + STS-B train pairs, vs TF-IDF.</summary>
internal static class StsExperiment
{
    internal static string Run(Runner runner, string dataDirectory, string docsDirectory, bool quick)
    {
        Console.WriteLine("Experiment 1: STS-B");
        var task = StsTask.Build(dataDirectory, seed: 1234, maximumTriplets: quick ? 1000 : null);
        var epochs = quick ? 1 : 4;
        const int batch = 128;
        var spec = new RunSpec("sts", LossKind.InfoNce, batch, Seed: 0, epochs, HardNegatives: true);
        var run = runner.Train(spec, task.Train, task.Validation);
        var transformerSpec = spec with { Encoder = EncoderKind.Transformer, LearningRate = Runner.TransformerLearningRate, Epochs = 2 * epochs };
        var transformerRun = runner.Train(transformerSpec, task.Train, task.Validation);

        var firsts = task.Test.Select(p => p.First).ToList();
        var seconds = task.Test.Select(p => p.Second).ToList();
        var gold = task.Test.Select(p => p.Score).ToList();
        var model = SimilarityEvaluator.Evaluate(Runner.Embed(run.Model, firsts), Runner.Embed(run.Model, seconds), gold);
        var transformer = SimilarityEvaluator.Evaluate(Runner.Embed(transformerRun.Model, firsts), Runner.Embed(transformerRun.Model, seconds), gold);

        var watch = Stopwatch.StartNew();
        var tfidf = TfIdfBaseline.Fit(new MLContext(seed: 0), firsts.Concat(seconds));
        var baseline = SimilarityEvaluator.Evaluate(tfidf.Embed(firsts), tfidf.Embed(seconds), gold);
        watch.Stop();
        Console.WriteLine($"  STS-B test Spearman: static {Stats.F(model.Spearman)}, Transformer {Stats.F(transformer.Spearman)}, TF-IDF {Stats.F(baseline.Spearman)}");

        Plots.Loss(Path.Combine(docsDirectory, "experiments", "sts-loss.png"), "STS-B training (SNLI triplets + STS-B train >= 4)", [run, transformerRun], r => $"{r.Spec.Encoder}, InfoNCE, batch {batch}");
        Plots.Validation(Path.Combine(docsDirectory, "experiments", "sts-validation.png"), "STS-B dev pairs >= 4: recall@1", [run, transformerRun], r => $"{r.Spec.Encoder}, InfoNCE, batch {batch}");

        var md = new StringBuilder();
        md.AppendLine("## 1. STS-B: trained from scratch vs TF-IDF").AppendLine();
        md.AppendLine($"- Training data: {task.SnliTriplets:N0} SNLI triplets (dev + test; premise, first entailment hypothesis as positive, first " +
            $"contradiction hypothesis as hard negative) and {task.StsPairs:N0} STS-B train pairs scoring >= 4 (negative: a random other STS-B " +
            $"train sentence, seeded), one training set of {task.Train.Count:N0} (anchor, positive, negative) rows. Rows of one premise or pair " +
            "share a group key (never each other's negatives).");
        md.AppendLine($"- Validation: {task.Validation.Count:N0} STS-B dev pairs scoring >= 4 (recall@1 of first sentence against all second sentences).");
        md.AppendLine($"- Test: STS-B test, {model.PairCount:N0} pairs, Spearman (and Pearson) of cosine similarity vs gold score.");
        md.AppendLine($"- Model: {Runner.ModelDescription}. Loss InfoNCE (in-batch + hard negatives), batch {batch}, {epochs} epochs, " +
            $"{run.Summary.Steps} steps, seed 0 (one seed). Second row: the same training with a small {Runner.TransformerDescription}, " +
            "trained twice as many epochs (Transformers from scratch learn more slowly), to see what word order buys.");
        md.AppendLine($"- TF-IDF baseline: ML.NET FeaturizeText (word 1-2-grams + char 3-grams, TF-IDF, L2) fitted on the {firsts.Count + seconds.Count:N0} test sentences.").AppendLine();
        md.AppendLine("| model | Spearman | Pearson | training time |");
        md.AppendLine("| --- | --- | --- | --- |");
        md.AppendLine($"| static encoder, InfoNCE, batch {batch}, {epochs} epochs | {Stats.F(model.Spearman)} | {Stats.F(model.Pearson)} | {Stats.Seconds(run.Elapsed)} |");
        md.AppendLine($"| {Runner.TransformerLayers}-layer Transformer, InfoNCE, batch {batch}, {transformerSpec.Epochs} epochs ({transformerRun.Summary.Steps} steps) | {Stats.F(transformer.Spearman)} | {Stats.F(transformer.Pearson)} | {Stats.Seconds(transformerRun.Elapsed)} |");
        md.AppendLine($"| TF-IDF (fit on test sentences) | {Stats.F(baseline.Spearman)} | {Stats.F(baseline.Pearson)} | {Stats.Seconds(watch.Elapsed)} (fit + embed) |").AppendLine();
        md.AppendLine("![STS training loss](experiments/sts-loss.png)").AppendLine();
        md.AppendLine("![STS validation recall@1](experiments/sts-validation.png)").AppendLine();
        return md.ToString();
    }
}
