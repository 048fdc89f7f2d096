using System.Text;
using MLNet.Contrastive.Evaluation;
using MLNet.Contrastive.Losses;

namespace MLNet.Contrastive.Experiments;

/// <summary>
/// Experiment 4, from a pretrained start (all-MiniLM-L6-v2): NLI-triplet fine-tuning scored on STS-B test; batch 32 vs
/// 512 through the gradient cache at the same chunk on Quora retrieval; DCL vs InfoNCE. Every run is 1 epoch over a
/// seeded sample of the training rows, so that about a dozen MiniLM runs fit into half an hour on 2 CPU cores.
/// </summary>
internal sealed class PretrainedExperiment(Runner runner, string dataDirectory, QuoraTask quora, string docsDirectory, bool quick)
{
    private const string QuoraTaskName = "quora-minilm";
    private readonly Dictionary<RunSpec, RetrievalMetrics> metrics = new();

    private int Rows => quick ? 256 : 2048;

    internal string Run()
    {
        Console.WriteLine("Experiment 4: fine-tuning all-MiniLM-L6-v2");
        int[] seeds = quick ? [0] : [0, 1, 2];
        var md = new StringBuilder();
        md.AppendLine("## 4. From a pretrained start: all-MiniLM-L6-v2 fine-tuned").AppendLine();
        md.AppendLine($"- Model: {Runner.PretrainedDescription}. Every run is 1 epoch over a seeded sample of {Rows:N0} training rows " +
            "(a MiniLM step on 2 CPU cores costs about 200 times a static-encoder step; docs/pretrained.md). \"Off the shelf\" is the " +
            "same estimator with `Epochs = 0`.").AppendLine();
        md.Append(Sts());
        md.Append(Quora(seeds));
        return md.ToString();
    }

    // NLI triplets (premise, entailment, contradiction as hard negative) from SNLI dev + test; STS-B test Spearman.
    private string Sts()
    {
        var task = StsTask.Build(dataDirectory, seed: 1234, maximumTriplets: null);
        var triplets = Sample(task.Train.Where(r => r.Group.StartsWith("snli:", StringComparison.Ordinal)));
        var firsts = task.Test.Select(p => p.First).ToList();
        var seconds = task.Test.Select(p => p.Second).ToList();
        var gold = task.Test.Select(p => p.Score).ToList();
        SimilarityMetrics Score(RunSpec spec)
        {
            var run = runner.Train(spec, triplets, task.Validation);
            var metrics = SimilarityEvaluator.Evaluate(Runner.Embed(run.Model, firsts), Runner.Embed(run.Model, seconds), gold);
            Console.WriteLine($"    STS-B test Spearman {Stats.F(metrics.Spearman)}");
            return metrics;
        }

        var md = new StringBuilder();
        md.AppendLine("### 4a. NLI-triplet fine-tuning, STS-B test").AppendLine();
        md.AppendLine($"- Training: {triplets.Count:N0} SNLI triplets (premise, its first entailment hypothesis, its first contradiction " +
            "hypothesis as hard negative; seeded sample of experiment 1's triplets), InfoNCE with in-batch and hard negatives, batch 128. " +
            $"Test: all {task.Test.Count:N0} STS-B test pairs (Spearman of cosine similarity with the gold score).").AppendLine();
        md.AppendLine("| model | learning rate | STS-B test Spearman | Pearson | training time |");
        md.AppendLine("| --- | --- | --- | --- | --- |");
        var offTheShelf = new RunSpec("sts-minilm", LossKind.InfoNce, 128, 0, 0, true, 2e-5, Pretrained: true);
        var before = Score(offTheShelf);
        md.AppendLine($"| off the shelf | - | {Stats.F(before.Spearman)} | {Stats.F(before.Pearson)} | - |");
        foreach (var rate in new[] { 2e-5, 1e-4 })
        {
            var spec = offTheShelf with { Epochs = 1, LearningRate = rate };
            var after = Score(spec);
            md.AppendLine($"| fine-tuned | {rate:0.#####} | {Stats.F(after.Spearman)} | {Stats.F(after.Pearson)} | {Stats.Seconds(runner.Train(spec, triplets, task.Validation).Elapsed)} |");
        }

        md.AppendLine();
        return md.ToString();
    }

    // The paper's claim (bigger batch, same memory through the cache) and DCL vs InfoNCE, on Quora retrieval.
    private string Quora(int[] seeds)
    {
        var train = Sample(quora.Train);
        (string Label, LossKind Loss, int Batch, double Rate)[] settings =
        [
            ("InfoNCE, batch 32, lr 1e-4", LossKind.InfoNce, 32, 1e-4),
            ("InfoNCE, batch 512, lr 1e-4", LossKind.InfoNce, 512, 1e-4),
            ("InfoNCE, batch 512, lr 4e-4 (x sqrt(512/32))", LossKind.InfoNce, 512, 4e-4),
            ("DCL, batch 32, lr 1e-4", LossKind.Dcl, 32, 1e-4),
        ];
        var offTheShelf = Evaluate(new RunSpec(QuoraTaskName, LossKind.InfoNce, 32, 0, 0, false, 1e-4, Pretrained: true), train);
        var groups = settings.Select(x => (x.Label, Specs: seeds.Select(s => new RunSpec(QuoraTaskName, x.Loss, x.Batch, s, 1, false, x.Rate, Pretrained: true)).ToList())).ToList();
        var runs = groups.SelectMany(g => g.Specs).Select(s => runner.Train(s, train, quora.Validation)).ToList();
        foreach (var spec in groups.SelectMany(g => g.Specs))
        {
            Evaluate(spec, train);
        }

        Plots.Loss(Path.Combine(docsDirectory, "experiments", "minilm-quora-loss.png"), "Quora from all-MiniLM-L6-v2: batch 32 vs 512 (chunk 32), DCL, all seeds", runs,
            r => $"{r.Spec.Loss}, batch {r.Spec.BatchSize}, lr {r.Spec.LearningRate:0.####}");

        var md = new StringBuilder();
        md.AppendLine("### 4b. Batch 32 vs 512 at the same chunk, and DCL vs InfoNCE, Quora retrieval").AppendLine();
        md.AppendLine($"- Data: the Quora task of experiment 2 (same split and test set), training on a seeded sample of {train.Count:N0} of its " +
            $"{quora.Train.Count:N0} pairs. Chunk {Runner.ChunkSize} in every setting, so every setting holds the same activations in memory; batch 512 is " +
            "16 chunks per step through the gradient cache and takes 16x fewer optimizer steps in the one epoch. Seeds: " +
            string.Join(", ", seeds) + " (shuffling and dropout; the start is the same pretrained model).").AppendLine();
        md.AppendLine("| setting | seeds | steps | Recall@1 | MRR@10 | Recall@10 | training time per run |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        md.AppendLine($"| off the shelf | - | 0 | {Stats.F(offTheShelf.RecallAt1)} | {Stats.F(offTheShelf.MrrAt10)} | {Stats.F(offTheShelf.RecallAt10)} | - |");
        foreach (var (label, specs) in groups)
        {
            var groupRuns = specs.Select(s => runner.Train(s, train, quora.Validation)).ToList();
            md.AppendLine(Stats.RetrievalRow(label, groupRuns[0].Summary.Steps, specs.Select(s => metrics[s]).ToList(), groupRuns.Select(r => r.Elapsed).ToList()));
        }

        md.AppendLine().AppendLine("Spread: mean ± sample standard deviation over seeds (min, max); one seed shows the value alone.").AppendLine();
        md.AppendLine("![MiniLM Quora loss](experiments/minilm-quora-loss.png)").AppendLine();
        return md.ToString();
    }

    // A seeded sample of Rows training rows (shuffled with seed 1234, then the first Rows).
    private List<TrainingRow> Sample(IEnumerable<TrainingRow> rows)
    {
        var all = rows.ToArray();
        new Random(1234).Shuffle(all);
        return all.Take(Rows).ToList();
    }

    private RetrievalMetrics Evaluate(RunSpec spec, IReadOnlyList<TrainingRow> train)
    {
        if (!this.metrics.TryGetValue(spec, out var metrics))
        {
            var run = runner.Train(spec, train, quora.Validation);
            metrics = RetrievalEvaluator.Evaluate(quora.Test, texts => Runner.Embed(run.Model, texts));
            this.metrics[spec] = metrics;
            Console.WriteLine($"    test R@1 {Stats.F(metrics.RecallAt1)}, MRR@10 {Stats.F(metrics.MrrAt10)}");
        }

        return metrics;
    }
}
