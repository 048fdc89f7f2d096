using System.Text;
using ExampleData;
using MLNet.Contrastive.Evaluation;
using MLNet.Contrastive.Losses;

namespace MLNet.Contrastive.Experiments;

/// <summary>
/// Experiment 5: the paper's batch-size claim from all-MiniLM-L6-v2 on a domain the model was not trained on, the .NET
/// SDK's API documentation (the QuickStart's task and test set): batch 32 vs 512 through the gradient cache at the same
/// chunk, in-batch negatives only, 3 seeds. Needs no shared data: the SDK that builds the repository ships the docs.
/// </summary>
internal sealed class ApiDocsBatchExperiment(Runner runner, string docsDirectory, bool quick)
{
    private const string TaskName = "apidocs-minilm";

    // The QuickStart's task and test set: same builder options and seed, test set sampled to 2000 documents.
    private const int TaskSeed = 42;
    private const int TestDocuments = 2000;

    private int Rows => quick ? 256 : 2048;

    internal string Run()
    {
        Console.WriteLine("Experiment 5: batch size from all-MiniLM-L6-v2 on the API docs");
        int[] seeds = quick ? [0] : [0, 1, 2];
        var task = ApiDocsTaskBuilder.Build(new ApiDocsTaskOptions
        {
            XmlDocsFolder = DotNetSdkLocator.FindReferenceDocsFolder(), MaximumMembers = quick ? 3000 : null, Seed = TaskSeed,
        });
        var test = RetrievalSample.ByQueries(task.Test, TestDocuments, TaskSeed);
        var order = Enumerable.Range(0, task.TrainPairs.Count).ToArray();
        new Random(1234).Shuffle(order);
        var rows = order.Select(i => task.TrainPairs[i])
            .Select(p => new TrainingRow { Anchor = p.Anchor, Positive = p.Positive, Negative = p.Positive, Group = p.Group.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            .ToList();
        var train = rows.Take(Rows).ToList();
        var validation = rows.Skip(Rows).Take(256).ToList();

        // Learning rates: the QuickStart's measured 3e-4 at batch 128, scaled by sqrt(batch / 128), and batch 512 also at batch 32's rate.
        (string Label, int Batch, double Rate, int[] Seeds)[] settings =
        [
            ("batch 32, lr 1.5e-4", 32, 1.5e-4, seeds),
            ("batch 512, lr 6e-4 (x sqrt(512/32))", 512, 6e-4, seeds),
            ("batch 512, lr 1.5e-4", 512, 1.5e-4, [seeds[0]]),
        ];
        var metrics = new Dictionary<RunSpec, RetrievalMetrics>();
        RetrievalMetrics Evaluate(RunSpec spec)
        {
            var run = runner.Train(spec, train, validation);
            var result = RetrievalEvaluator.Evaluate(test, texts => Runner.Embed(run.Model, texts));
            Console.WriteLine($"    test R@1 {Stats.F(result.RecallAt1)}, MRR@10 {Stats.F(result.MrrAt10)}");
            metrics[spec] = result;
            return result;
        }

        var offTheShelf = Evaluate(new RunSpec(TaskName, LossKind.InfoNce, 32, 0, 0, false, 1.5e-4, Pretrained: true));
        var groups = settings.Select(x => (x.Label, Specs: x.Seeds.Select(s => new RunSpec(TaskName, LossKind.InfoNce, x.Batch, s, 1, false, x.Rate, Pretrained: true)).ToList())).ToList();
        var runs = new List<RunResult>();
        foreach (var spec in groups.SelectMany(g => g.Specs))
        {
            Evaluate(spec);
            runs.Add(runner.Train(spec, train, validation));
        }

        Plots.Loss(Path.Combine(docsDirectory, "experiments", "minilm-apidocs-loss.png"), "API docs from all-MiniLM-L6-v2: batch 32 vs 512 (chunk 32), all seeds", runs,
            r => $"batch {r.Spec.BatchSize}, lr {r.Spec.LearningRate:0.#####}");

        var md = new StringBuilder();
        md.AppendLine("## 5. Batch 32 vs 512 from all-MiniLM-L6-v2 on a new domain: the .NET API docs").AppendLine();
        md.AppendLine($"- Model: {Runner.PretrainedDescription}. InfoNCE with in-batch negatives only (no hard negatives), 1 epoch.").AppendLine();
        md.AppendLine($"- Data: the QuickStart's API-docs task (the installed SDK's reference docs, split by declaring type, seed {TaskSeed}) and its test set " +
            $"({test.Queries.Count:N0} queries over {test.Corpus.Count:N0} documents of types never trained on). Training: a seeded sample of {train.Count:N0} of its " +
            $"{task.TrainPairs.Count:N0} training pairs (summary -> signature; pairs of one summary share a group, never each other's negatives); validation: " +
            $"{validation.Count} other training pairs. Chunk {Runner.ChunkSize} in every setting (the same activations in memory); batch 512 is 16 chunks per step " +
            "through the gradient cache and takes 16x fewer optimizer steps in the epoch. Seeds: " + string.Join(", ", seeds) + " (shuffling and dropout).").AppendLine();
        md.AppendLine("| setting | seeds | steps | Recall@1 | MRR@10 | Recall@10 | training time per run |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        md.AppendLine($"| off the shelf | - | 0 | {Stats.F(offTheShelf.RecallAt1)} | {Stats.F(offTheShelf.MrrAt10)} | {Stats.F(offTheShelf.RecallAt10)} | - |");
        foreach (var (label, specs) in groups)
        {
            var groupRuns = specs.Select(s => runs.Single(r => r.Spec == s)).ToList();
            md.AppendLine(Stats.RetrievalRow(label, groupRuns[0].Summary.Steps, specs.Select(s => metrics[s]).ToList(), groupRuns.Select(r => r.Elapsed).ToList()));
        }

        md.AppendLine().AppendLine("Spread: mean ± sample standard deviation over seeds (min, max); one seed shows the value alone.").AppendLine();
        md.AppendLine("![MiniLM API-docs loss](experiments/minilm-apidocs-loss.png)").AppendLine();
        return md.ToString();
    }
}
