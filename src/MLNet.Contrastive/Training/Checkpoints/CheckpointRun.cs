using System.Globalization;
using System.Diagnostics;
using System.Text;
using MLNet.Contrastive.Training.Distributed;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Training.Checkpoints;

/// <summary>
/// A training run's side of checkpointing: finds the checkpoint to resume (the same one on every rank) and loads it,
/// says when the next one is due, and writes it (rank 0 alone: every rank holds the same state).
/// </summary>
internal sealed class CheckpointRun
{
    private readonly CheckpointSettings settings;
    private readonly CheckpointStore store;
    private readonly ICommunicator? communicator;
    private readonly Stopwatch sinceLast = Stopwatch.StartNew();
    private int lastStep;

    /// <summary>Initializes a new instance of the <see cref="CheckpointRun"/> class.</summary>
    /// <param name="settings">The checkpoint settings (validated).</param>
    /// <param name="fingerprint">The run (taken after every rank holds rank 0's starting weights).</param>
    /// <param name="communicator">The ranks, or <see langword="null"/> for one process.</param>
    public CheckpointRun(CheckpointSettings settings, RunFingerprint fingerprint, ICommunicator? communicator)
    {
        this.settings = settings;
        this.communicator = communicator;
        Fingerprint = fingerprint;
        store = new CheckpointStore(settings, fingerprint);
    }

    /// <summary>Gets the run's fingerprint, which every checkpoint it writes carries.</summary>
    public RunFingerprint Fingerprint { get; }

    /// <summary>
    /// Loads the newest checkpoint of the run into <paramref name="parameters"/> and <paramref name="optimizer"/>, and
    /// returns where it stood; <see langword="null"/> when there is none (training starts from the beginning).
    /// </summary>
    /// <exception cref="InvalidOperationException">The folder holds only another run's checkpoints (see
    /// <see cref="CheckpointStore.FindNewest"/>), or the ranks found different checkpoints.</exception>
    /// <exception cref="InvalidDataException">The checkpoint's parameters do not fit the model (named).</exception>
    public CheckpointProgress? Resume(IReadOnlyList<(string Name, Parameter Parameter)> parameters, OptimizerHelper optimizer)
    {
        var found = store.FindNewest();
        if (communicator is not null)
        {
            // Every rank reads the folder; all must have found the same step, or their weights would part.
            var steps = communicator.AllGather(found?.Checkpoint.Progress.Step ?? -1);
            if (steps.Distinct().Count() > 1)
            {
                throw new InvalidOperationException(
                    $"The ranks found different checkpoints in '{settings.Directory}' (steps per rank: {string.Join(", ", steps)}): the checkpoint folder must be one folder that every rank reads.");
            }
        }

        if (found is not { } resumed)
        {
            return null;
        }

        var (path, checkpoint) = resumed;
        Load(path, checkpoint, parameters);
        using (var reader = new BinaryReader(new MemoryStream(checkpoint.OptimizerState, writable: false), Encoding.UTF8))
        {
            optimizer.load_state_dict(reader);
        }

        lastStep = checkpoint.Progress.Step;
        sinceLast.Restart();
        settings.Info?.Invoke($"Resumed from checkpoint '{path}' at step {checkpoint.Progress.Step} of {checkpoint.Progress.TotalSteps}.");
        return checkpoint.Progress;
    }

    /// <summary>Whether a checkpoint is due after <paramref name="step"/> steps.</summary>
    public bool IsDue(int step) =>
        (settings.EverySteps is { } steps && step - lastStep >= steps)
        || (settings.EveryMinutes is { } minutes && sinceLast.Elapsed.TotalMinutes >= minutes);

    /// <summary>Writes a checkpoint (rank 0 only) and restarts the interval.</summary>
    /// <exception cref="IOException">The write failed; the previous checkpoint is intact.</exception>
    public void Save(CheckpointProgress progress, IReadOnlyList<(string Name, Parameter Parameter)> parameters, OptimizerHelper optimizer)
    {
        if (communicator is not { Rank: not 0 })
        {
            var watch = Stopwatch.StartNew();
            using var state = new MemoryStream();
            using (var writer = new BinaryWriter(state, Encoding.UTF8, leaveOpen: true))
            {
                optimizer.save_state_dict(writer);
            }

            var path = store.Write(progress, parameters.Select(p => (p.Name, (Tensor)p.Parameter)), state.ToArray());
            settings.Info?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"Checkpoint of step {progress.Step} written to '{path}' ({new FileInfo(path).Length / 1048576.0:0.0} MiB in {watch.Elapsed.TotalSeconds:0.00} s)."));
        }

        lastStep = progress.Step;
        sinceLast.Restart();
    }

    private static void Load(string path, TrainingCheckpoint checkpoint, IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        var problems = parameters
            .Where(p => !checkpoint.Parameters.TryGetValue(p.Name, out var data) || !data.Shape.SequenceEqual(p.Parameter.shape))
            .Select(p => checkpoint.Parameters.TryGetValue(p.Name, out var data)
                ? $"'{p.Name}' has shape [{string.Join(", ", data.Shape)}], the model's [{string.Join(", ", p.Parameter.shape)}]"
                : $"'{p.Name}' is missing")
            .ToList();
        if (problems.Count > 0 || checkpoint.Parameters.Count != parameters.Count)
        {
            throw new InvalidDataException($"The checkpoint '{path}' does not fit the model: {string.Join("; ", problems.DefaultIfEmpty($"{checkpoint.Parameters.Count} parameters, the model has {parameters.Count}"))}.");
        }

        using var noGrad = no_grad();
        foreach (var (name, parameter) in parameters)
        {
            var data = checkpoint.Parameters[name];
            using var value = tensor(data.Values, data.Shape, dtype: ScalarType.Float32);
            parameter.copy_(value);
        }
    }
}
