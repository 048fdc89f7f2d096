using System.Diagnostics;
using System.Globalization;
using System.Text;
using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Training;
using MLNet.Contrastive.Training.Distributed;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Benchmarks;

/// <summary>
/// Suite f: one data-parallel gradient-cache step at a fixed global batch, 1 rank x 2 torch threads against 2 ranks x 1
/// thread under mpiexec.hydra, with the time spent in the all-gather of embeddings and the all-reduce of gradients;
/// then the communication volume per step for all-MiniLM-L6-v2 and the arithmetic for N hosts.
/// </summary>
internal static class DistributedSuite
{
    public const string ChildName = "dstep";

    // all-MiniLM-L6-v2: 22.7 M parameters, 384-dimensional embeddings.
    private const double MiniLmParameters = 22.7e6;
    private const int MiniLmDimension = 384;

    public static void Run(Report report, BenchmarkConfig config)
    {
        var batch = config.DistributedBatch;
        Console.WriteLine($"[f] B={batch}, 1 rank x 2 threads ...");
        var one = ChildResult.TryRun(Program.ChildArguments(config, ChildName, batch), out var oneFailure, Threads(2));
        Console.WriteLine($"[f] B={batch}, 2 ranks x 1 thread ...");
        var two = TryRunUnderMpi(2, Program.ChildArguments(config, ChildName, batch), Threads(1), out var twoFailure);

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Configuration: {config.EncoderDescription}; shared encoder, training mode; global batch B = {batch} queries and {batch} positives (k = 0), every text exactly {config.StepLength} synthetic token ids; InfoNCE, fixed temperature 0.05; chunk {config.Chunk} per side, dropout replay on; no optimizer step. 1 rank: `GradientCache.Step` with 2 torch threads. 2 ranks: `DistributedGradientCache.Step` under `mpiexec.hydra -n 2` (MPICH 4.0.2, shared memory), 1 torch thread each, chunks dealt round-robin. Median of 3 steps after 1 warmup, rank 0's clock (the step ends in a collective, so the ranks finish together). The all-gather (both sides) and all-reduce columns are the time inside the step, which includes waiting for the slower rank; the *alone* columns repeat the same collectives right after the steps, when the ranks are in step, and show the transfer (with the tensor-to-array copies of the all-reduce).");
        text.AppendLine();
        text.AppendLine("| ranks x threads | step s | all-gather s (share) | all-reduce s (share) | all-gather alone s | all-reduce alone s | loss |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        text.AppendLine(Row("1 x 2", one, oneFailure));
        text.AppendLine(Row("2 x 1", two, twoFailure));
        text.AppendLine();
        var parameters = one?["parameters"] ?? two?["parameters"] ?? double.NaN;
        var dimension = one?["dimension"] ?? two?["dimension"] ?? double.NaN;
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Communication per step here: all-gather of B(2+k)·D = {batch}·2·{dimension} = {batch * 2 * dimension:N0} floats ({batch * 2 * dimension * 4 / 1e6:0.00} MB); all-reduce of the {parameters:N0} parameters' gradients ({parameters * 4 / 1e6:0.0} MB)."));
        text.AppendLine();
        text.AppendLine("Communication per step for all-MiniLM-L6-v2 (22.7 M parameters, D = 384), float32; a ring all-reduce sends and receives 2(R-1)/R of the buffer per rank, an all-gather (R-1)/R of the result:");
        text.AppendLine();
        text.AppendLine("| global batch B, hard negatives k | embeddings gathered B(2+k)·D | gradients all-reduced | per rank, R = 8 (ring) |");
        text.AppendLine("|---|---:|---:|---:|");
        foreach (var (b, k) in new[] { (256, 0), (1024, 1), (4096, 1) })
        {
            var gathered = (double)b * (2 + k) * MiniLmDimension * 4;
            var reduced = MiniLmParameters * 4;
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {b}, {k} | {gathered / 1e6:0.0} MB | {reduced / 1e6:0.0} MB | {((7.0 / 8 * gathered) + (2 * 7.0 / 8 * reduced)) / 1e6:0} MB |"));
        }

        text.AppendLine();
        text.AppendLine(NHosts(one, batch, parameters, dimension));
        report.Section("f) Data-parallel step over MPI", text.ToString());
    }

    /// <summary>The child: one rank of the measurement (or the one process); rank 0 prints the result line.</summary>
    public static void Child(BenchmarkConfig config, int batch)
    {
        var threads = int.Parse(Environment.GetEnvironmentVariable("MLNET_BENCH_THREADS") ?? "1", CultureInfo.InvariantCulture);
        set_num_threads(threads);
        var communicator = DistributedSetup.Resolve(DistributedMode.Auto);
        using var encoder = Workload.Transformer(config, config.StepLength);
        encoder.train();
        var parameters = encoder.parameters().ToArray();
        var loss = new InfoNceLoss(Temperature.Fixed(0.05));
        var queries = Workload.FixedLength(batch, config.StepLength, config.Vocabulary, seed: 10);
        var documents = Workload.FixedLength(batch, config.StepLength, config.Vocabulary, seed: 20);
        var cache = new GradientCache(encoder, null, loss, new GradientCacheOptions { ChunkSize = config.Chunk, ReplaySeed = 0 });
        var distributed = communicator is null ? null : new DistributedGradientCache(cache, communicator);
        var gathers = new List<double>();
        var reduces = new List<double>();
        double value = double.NaN;
        long step = 0;
        var seconds = Measure.MedianSeconds(
            () =>
            {
                Workload.ZeroGradients(parameters);
                value = distributed?.Step(queries, documents, 0, step: step).Loss ?? cache.Step(queries, documents, 0, step: step).Loss;
                step++;
                gathers.Add(distributed?.LastAllGatherTime.TotalSeconds ?? 0);
                reduces.Add(distributed?.LastAllReduceTime.TotalSeconds ?? 0);
            },
            warmup: 1,
            repeats: 3);
        // The collectives inside a step also wait for the slower rank; alone, after a step has synchronised the ranks,
        // they show the transfer itself.
        double gatherAlone = 0, reduceAlone = 0;
        if (communicator is not null)
        {
            var counts = Enumerable.Range(0, communicator.Size)
                .Select(r => Enumerable.Range(0, (batch + config.Chunk - 1) / config.Chunk).Where(c => c % communicator.Size == r)
                    .Sum(c => Math.Min(config.Chunk, batch - (c * config.Chunk))) * encoder.Dimension)
                .ToArray();
            var local = new float[counts[communicator.Rank]];
            gatherAlone = Measure.MedianSeconds(() => { communicator.AllGather(local, counts); communicator.AllGather(local, counts); }, 1, 3);
            reduceAlone = Measure.MedianSeconds(() => GradientReduction.AllReduceSum(communicator, parameters), 1, 3);
        }

        if ((communicator?.Rank ?? 0) == 0)
        {
            ChildResult.Print(("step", seconds), ("gather", Median(gathers.Skip(1))), ("reduce", Median(reduces.Skip(1))), ("loss", value),
                ("gatherAlone", gatherAlone), ("reduceAlone", reduceAlone),
                ("parameters", parameters.Sum(p => p.numel())), ("dimension", encoder.Dimension), ("ranks", communicator?.Size ?? 1), ("threads", threads));
        }
    }

    private static Dictionary<string, string?> Threads(int threads) => new()
    {
        ["MLNET_BENCH_THREADS"] = threads.ToString(CultureInfo.InvariantCulture),
        ["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture),
        ["TERM"] = "dumb",
    };

    private static string Row(string label, Dictionary<string, double>? r, string failure) => r is null
        ? $"| {label} | {failure} ||||||"
        : string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {r["step"]:0.000} | {r["gather"]:0.0000} ({r["gather"] / r["step"]:0.0%}) | {r["reduce"]:0.0000} ({r["reduce"] / r["step"]:0.0%}) | {r["gatherAlone"]:0.0000} | {r["reduceAlone"]:0.0000} | {r["loss"]:0.000000} |");

    // T(N) = T1 / N + all-gather + all-reduce, with the measured one-process step and the network's bandwidth.
    private static string NHosts(Dictionary<string, double>? one, int batch, double parameters, double dimension)
    {
        if (one is null)
        {
            return "(No one-process time: no N-host arithmetic.)";
        }

        var text = new StringBuilder();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"N hosts, each as fast as this machine (1 x 2 above, T1 = {one["step"]:0.00} s), this encoder and B = {batch}: T(N) ≈ T1/N + gather + reduce, with gather ≈ (N-1)/N·B(2+k)·D·4 bytes / bandwidth and reduce ≈ 2(N-1)/N·P·4 bytes / bandwidth (latency ignored; it is microseconds per collective, two all-gathers and one all-reduce per step):"));
        text.AppendLine();
        text.AppendLine("| N | 10 Gb/s Ethernet: T(N) s, speed-up | 100 Gb/s InfiniBand: T(N) s, speed-up |");
        text.AppendLine("|---:|---:|---:|");
        foreach (var n in new[] { 2, 4, 8, 16 })
        {
            string Cell(double bytesPerSecond)
            {
                var comm = (((n - 1.0) / n * batch * 2 * dimension * 4) + (2.0 * (n - 1) / n * parameters * 4)) / bytesPerSecond;
                var t = (one["step"] / n) + comm;
                return string.Create(CultureInfo.InvariantCulture, $"{t:0.000}, {one["step"] / t:0.0}x");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"| {n} | {Cell(1.25e9)} | {Cell(12.5e9)} |");
        }

        return text.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    private static Dictionary<string, double>? TryRunUnderMpi(int ranks, string[] arguments, IReadOnlyDictionary<string, string?> environment, out string failure)
    {
        failure = string.Empty;
        var info = new ProcessStartInfo("mpiexec.hydra") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        // As Measure.RunChild: this program again, through dotnet when it runs as dotnet <dll>.
        var self = Environment.ProcessPath!;
        string[] program = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [self, System.Reflection.Assembly.GetEntryAssembly()!.Location] : [self];
        foreach (var argument in new[] { "-n", ranks.ToString(CultureInfo.InvariantCulture) }.Concat(program).Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                failure = $"mpiexec.hydra exited with {process.ExitCode}";
                Console.Error.WriteLine(output);
                return null;
            }

            return ChildResult.Parse(output.TrimEnd().Split('\n')[^1]);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            failure = $"mpiexec.hydra not started ({e.Message}; apt-get install mpich)";
            return null;
        }
    }
}
