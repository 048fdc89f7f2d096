using System.Diagnostics;
using System.Text;
using Microsoft.ML;
using MLNet.Contrastive.Evaluation;
using MLNet.Contrastive.Losses;

namespace MLNet.Contrastive.Experiments;

/// <summary>Experiments 2 (batch 32 vs 512 at the same chunk) and 3 (DCL, DCLW vs InfoNCE) on Quora duplicate retrieval.</summary>
internal sealed class QuoraExperiments(Runner runner, QuoraTask task, string docsDirectory, bool quick)
{
    private readonly Dictionary<RunSpec, RetrievalMetrics> metrics = new();
    private RetrievalMetrics? tfidf;
    private TimeSpan tfidfTime;

    private int Epochs => quick ? 1 : 3;

    internal string DataDescription =>
        $"Quora duplicates from quora-dev.csv, split by duplicate group (identical questions, case-insensitive, and their duplicates form " +
        $"one group; whole groups go to one split): {task.Train.Count:N0} training pairs (question1, question2; group key = duplicate group, " +
        $"so duplicates are never negatives of each other; no hard negatives), {task.Validation.Count:N0} validation pairs (recall@1 of " +
        $"question1 against their question2s), test: {task.Test.Queries.Count:N0} queries (question1) against a corpus of " +
        $"{task.Test.Corpus.Count:N0} questions ({task.Test.Corpus.Count - task.Distractors:N0} held-out question2s + {task.Distractors:N0} " +
        "distractors from non-duplicate rows, in no duplicate group); relevant = every corpus question of the query's group. Split seed 1234.";

    internal string RunBatch()
    {
        Console.WriteLine("Experiment 2: batch 32 vs 512 at chunk 32 (Quora)");
        int[] seeds = quick ? [0] : [0, 1, 2];
        var scaledRate = Runner.LearningRate * Math.Sqrt(512.0 / 32);
        (string label, double rate, int batch)[] settings =
        [
            ("InfoNCE, batch 32", Runner.LearningRate, 32),
            ("InfoNCE, batch 512", Runner.LearningRate, 512),
            ($"InfoNCE, batch 32, lr x4 = {scaledRate:0.###}", scaledRate, 32),
            ($"InfoNCE, batch 512, lr x4 = {scaledRate:0.###}", scaledRate, 512),
        ];
        var groups = settings.Select(x => (x.label, specs: seeds.Select(s => new RunSpec("quora", LossKind.InfoNce, x.batch, s, Epochs, false, x.rate)).ToList())).ToList();
        var runs = groups.SelectMany(g => g.specs).Select(Evaluate).ToList();
        Plots.Loss(Path.Combine(docsDirectory, "experiments", "batch-loss.png"), "Quora: InfoNCE, batch 32 vs 512 (chunk 32), all seeds", runs, Label);
        Plots.Validation(Path.Combine(docsDirectory, "experiments", "batch-validation.png"), "Quora validation recall@1, all seeds", runs, Label);

        var md = new StringBuilder();
        md.AppendLine("## 2. Batch 32 vs batch 512 at the same chunk (gradient cache), Quora retrieval").AppendLine();
        md.AppendLine($"- Data: {DataDescription}");
        md.AppendLine($"- Model: {Runner.ModelDescription}. Loss InfoNCE (in-batch negatives). Chunk {Runner.ChunkSize} texts in both " +
            "settings, so both hold the same activations in memory at once; batch 512 is 16 chunks per step through the gradient cache.");
        md.AppendLine($"- Same number of epochs ({Epochs}) and the same peak learning rate ({Runner.LearningRate}) for both: batch 512 " +
            "therefore takes 16x fewer optimizer steps. A third setting scales batch 512's learning rate by sqrt(512/32) = 4 " +
            "(square-root scaling, a common rule for Adam) to see whether the fewer steps are what holds it back, and batch 32 is run at " +
            "that rate too, so that each batch size is also seen at the other's rate (no further tuning). Seeds: " +
            string.Join(", ", seeds) + " (initialisation, shuffling).").AppendLine();
        AppendTable(md, groups);
        md.AppendLine("![batch loss](experiments/batch-loss.png)").AppendLine();
        md.AppendLine("![batch validation](experiments/batch-validation.png)").AppendLine();
        return md.ToString();
    }

    internal string RunDcl()
    {
        Console.WriteLine("Experiment 3: DCL and DCLW vs InfoNCE (Quora)");
        int[] seeds = quick ? [0] : [0, 1, 2];
        LossKind[] losses = [LossKind.InfoNce, LossKind.Dcl, LossKind.Dclw];
        int[] batches = [32, 256];
        var groups = batches.SelectMany(b => losses.Select(l => (label: $"{l}, batch {b}", specs: seeds.Select(s => new RunSpec("quora", l, b, s, Epochs, false)).ToList()))).ToList();
        var runs = groups.SelectMany(g => g.specs).Select(Evaluate).ToList();
        
        Plots.Loss(Path.Combine(docsDirectory, "experiments", "dcl-loss.png"), "Quora: InfoNCE vs DCL vs DCLW, all seeds", runs, Label);
        Plots.Validation(Path.Combine(docsDirectory, "experiments", "dcl-validation.png"), "Quora validation recall@1, all seeds", runs, Label);

        var md = new StringBuilder();
        md.AppendLine("## 3. DCL and DCLW vs InfoNCE at batch 32 and 256, Quora retrieval").AppendLine();
        md.AppendLine("- Data: the same Quora task and split as experiment 2.");
        md.AppendLine($"- Model: {Runner.ModelDescription}, {Epochs} epochs, same learning rate for every loss; DCLW with its default " +
            "weighting (docs/losses.md). Seeds: " + string.Join(", ", seeds) + ". Note that DCL's loss values are not comparable " +
            "with InfoNCE's (the positive is removed from the denominator), so compare the retrieval metrics, not the curves' levels.").AppendLine();
        AppendTable(md, groups);
        md.AppendLine("![dcl loss](experiments/dcl-loss.png)").AppendLine();
        md.AppendLine("![dcl validation](experiments/dcl-validation.png)").AppendLine();
        return md.ToString();
    }

    private static string Label(RunResult r) => $"{r.Spec.Loss}, batch {r.Spec.BatchSize}" + (r.Spec.LearningRate == Runner.LearningRate ? string.Empty : $", lr {r.Spec.LearningRate:0.###}");

    private RunResult Evaluate(RunSpec spec)
    {
        var run = runner.Train(spec, task.Train, task.Validation);
        if (!metrics.ContainsKey(spec))
        {
            metrics[spec] = RetrievalEvaluator.Evaluate(task.Test, texts => Runner.Embed(run.Model, texts));
            Console.WriteLine($"    test R@1 {Stats.F(metrics[spec].RecallAt1)}, MRR@10 {Stats.F(metrics[spec].MrrAt10)}");
        }

        return run;
    }

    private void AppendTable(StringBuilder md, IEnumerable<(string label, List<RunSpec> specs)> groups)
    {
        md.AppendLine("| setting | seeds | steps | Recall@1 | MRR@10 | Recall@10 | final validation R@1 | training time per run |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (label, specs) in groups)
        {
            var runs = specs.Select(s => runner.Train(s, task.Train, task.Validation)).ToList();
            var metrics = specs.Select(s => this.metrics[s]).ToList();
            md.AppendLine($"| {label} | {specs.Count} | {runs[0].Summary.Steps} | {Stats.MeanSpread(metrics.Select(m => m.RecallAt1).ToList())} | " +
                $"{Stats.MeanSpread(metrics.Select(m => m.MrrAt10).ToList())} | {Stats.MeanSpread(metrics.Select(m => m.RecallAt10).ToList())} | " +
                $"{Stats.MeanSpread(runs.Select(r => r.Summary.ValidationRecallAt1[^1]).ToList())} | " +
                $"{Stats.Seconds(TimeSpan.FromTicks((long)runs.Average(r => r.Elapsed.Ticks)))} |");
        }

        var tfidf = TfIdf();
        md.AppendLine($"| TF-IDF (fit on test queries + corpus) | - | - | {Stats.F(tfidf.RecallAt1)} | {Stats.F(tfidf.MrrAt10)} | {Stats.F(tfidf.RecallAt10)} | - | {Stats.Seconds(tfidfTime)} (fit + embed) |").AppendLine();
        md.AppendLine("Spread: mean ± sample standard deviation over seeds (min, max); one seed shows the value alone.").AppendLine();
    }

    private RetrievalMetrics TfIdf()
    {
        if (tfidf is null)
        {
            var watch = Stopwatch.StartNew();
            var baseline = TfIdfBaseline.Fit(new MLContext(seed: 0), task.Test.Queries.Concat(task.Test.Corpus),
                new TfIdfBaselineOptions { MaximumNgramsPerLength = 5_000 });
            tfidf = RetrievalEvaluator.Evaluate(task.Test, baseline.EmbedSparse);
            tfidfTime = watch.Elapsed;
        }

        return tfidf;
    }
}
