using System.Globalization;

namespace MLNet.Contrastive.Training.Checkpoints;

/// <summary>
/// How a run checkpoints (<c>ContrastiveEmbeddingOptions.CheckpointDirectory</c> and the options after it; the same
/// names, and these defaults are that class's).
/// </summary>
internal sealed record CheckpointSettings
{
    /// <summary>Gets the folder of the checkpoints (created when missing).</summary>
    public required string Directory { get; init; }

    /// <summary>Gets the steps between two checkpoints, or <see langword="null"/> for no step interval.</summary>
    public int? EverySteps { get; init; }

    /// <summary>Gets the minutes between two checkpoints, or <see langword="null"/> for no time interval.</summary>
    public double? EveryMinutes { get; init; } = 10;

    /// <summary>Gets how many of the run's newest checkpoints are kept (older ones are deleted after each write).</summary>
    public int Keep { get; init; } = 2;

    /// <summary>Gets a value indicating whether a checkpoint of other settings or data is skipped (and kept) instead of refused.</summary>
    public bool IgnoreIncompatible { get; init; }

    /// <summary>Gets where the run says what it resumed from.</summary>
    public Action<string>? Info { get; init; }

    /// <summary>Gets where the run says which checkpoints it skipped, and why.</summary>
    public Action<string>? Warning { get; init; }

    /// <summary>Gets how a checkpoint's temporary file is created (the tests make it fail).</summary>
    internal Func<string, Stream> Create { get; init; } = path => new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);

    /// <summary>Throws naming the first invalid setting by its option name.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Directory, "CheckpointDirectory");
        if (EverySteps is null && EveryMinutes is null)
        {
            throw new ArgumentException("Set CheckpointEverySteps or CheckpointEveryMinutes (or both): with neither, no checkpoint would be written.", "CheckpointEverySteps");
        }

        if (EverySteps is { } steps)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps, "CheckpointEverySteps");
        }

        if (EveryMinutes is { } minutes && (!(minutes > 0) || double.IsInfinity(minutes)))
        {
            throw new ArgumentOutOfRangeException("CheckpointEveryMinutes", minutes, "Expected a finite number of minutes > 0, or null.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Keep, "CheckpointsToKeep");
    }
}

/// <summary>
/// A run's checkpoints in one folder: files <c>checkpoint-&lt;digest&gt;-&lt;step&gt;.ckpt</c>, where the digest names the
/// run (<see cref="RunFingerprint.Digest"/>). Each is written to a temporary file, flushed to disk and renamed, so a
/// crash or a full disk never leaves a half-written checkpoint under a checkpoint's name.
/// </summary>
internal sealed class CheckpointStore
{
    private const string Prefix = "checkpoint-";
    private const string Extension = ".ckpt";

    private readonly CheckpointSettings settings;
    private readonly RunFingerprint fingerprint;
    private readonly string digest;

    /// <summary>Initializes a new instance of the <see cref="CheckpointStore"/> class for the run <paramref name="fingerprint"/>.</summary>
    public CheckpointStore(CheckpointSettings settings, RunFingerprint fingerprint)
    {
        this.settings = settings;
        this.fingerprint = fingerprint;
        digest = fingerprint.Digest;
    }

    /// <summary>
    /// Returns the newest complete checkpoint of this run, or <see langword="null"/> when there is none. A truncated or
    /// corrupted one is skipped (the log names it and what is used instead).
    /// </summary>
    /// <exception cref="InvalidOperationException">The folder holds checkpoints of another run and none of this one
    /// (the message names the file and what differs), unless <see cref="CheckpointSettings.IgnoreIncompatible"/>.</exception>
    public (string Path, TrainingCheckpoint Checkpoint)? FindNewest()
    {
        if (!Directory.Exists(settings.Directory))
        {
            return null;
        }

        var mine = Files().Where(f => f.Digest == digest).OrderByDescending(f => f.Step).ToList();
        if (mine.Count == 0)
        {
            RefuseOthers();
            return null;
        }

        for (var i = 0; i < mine.Count; i++)
        {
            try
            {
                var checkpoint = TrainingCheckpoint.Read(mine[i].Path);
                if (fingerprint.DifferenceFrom(checkpoint.Progress.Fingerprint) is { } difference)
                {
                    throw new InvalidDataException($"'{mine[i].Path}' is named for this run but its fingerprint differs: {difference}.");
                }

                return (mine[i].Path, checkpoint);
            }
            catch (InvalidDataException e)
            {
                settings.Warning?.Invoke(
                    $"Skipped checkpoint: {e.Message} " + (i + 1 < mine.Count ? $"Resuming from the previous one, '{mine[i + 1].Path}'." : "No older checkpoint of this run: training starts from the beginning."));
            }
        }

        return null;
    }

    /// <summary>
    /// Writes a checkpoint (temporary file, flushed to disk, renamed), then deletes the run's checkpoints beyond the
    /// newest <see cref="CheckpointSettings.Keep"/>.
    /// </summary>
    /// <exception cref="IOException">The write failed (a full disk, a read-only folder); the previous checkpoint is intact
    /// and the message says so.</exception>
    public string Write(CheckpointProgress progress, IEnumerable<(string Name, TorchSharp.torch.Tensor Tensor)> parameters, byte[] optimizerState)
    {
        var path = Path.Combine(settings.Directory, string.Create(CultureInfo.InvariantCulture, $"{Prefix}{digest}-{progress.Step:D9}{Extension}"));
        var temporary = Path.Combine(settings.Directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(settings.Directory);
            using (var stream = settings.Create(temporary))
            {
                TrainingCheckpoint.Write(stream, progress, parameters, optimizerState);
                if (stream is FileStream file)
                {
                    file.Flush(flushToDisk: true);
                }
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temporary);
            if (e is not (IOException or UnauthorizedAccessException))
            {
                throw;
            }

            var previous = Files().Where(f => f.Digest == digest).OrderByDescending(f => f.Step).Select(f => f.Path).FirstOrDefault();
            throw new IOException(
                $"Writing the checkpoint of step {progress.Step} to '{settings.Directory}' failed ({e.Message}). " +
                (previous is null ? "No earlier checkpoint of this run exists." : $"The previous checkpoint, '{previous}', is intact: Fit with the same options and data resumes from it."),
                e);
        }

        foreach (var old in Files().Where(f => f.Digest == digest).OrderByDescending(f => f.Step).Skip(settings.Keep))
        {
            TryDelete(old.Path);
        }

        return path;
    }

    // A folder with checkpoints of another run only: say what differs, from the newest of them.
    private void RefuseOthers()
    {
        var other = Files().Select(f => f.Path).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault();
        if (other is null)
        {
            return;
        }

        string why;
        try
        {
            why = fingerprint.DifferenceFrom(TrainingCheckpoint.Read(other).Progress.Fingerprint) ?? "the same settings and data, under another name";
        }
        catch (InvalidDataException e)
        {
            why = $"it cannot be read ({e.Message})";
        }

        var message = $"The checkpoint folder '{settings.Directory}' holds checkpoints of another run, the newest '{other}': {why}.";
        if (!settings.IgnoreIncompatible)
        {
            throw new InvalidOperationException(
                message + " Fit with those options and data to resume it, use another CheckpointDirectory, or set IgnoreIncompatibleCheckpoints to start this run anew beside them.");
        }

        settings.Warning?.Invoke(message + " IgnoreIncompatibleCheckpoints is set: this run starts from the beginning and keeps them.");
    }

    private IEnumerable<(string Path, string Digest, int Step)> Files()
    {
        if (!Directory.Exists(settings.Directory))
        {
            yield break;
        }

        foreach (var path in Directory.EnumerateFiles(settings.Directory, Prefix + "*" + Extension))
        {
            var name = Path.GetFileNameWithoutExtension(path)[Prefix.Length..];
            var dash = name.LastIndexOf('-');
            if (dash > 0 && int.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var step))
            {
                yield return (path, name[..dash], step);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing depends on it: a temporary or an old checkpoint left behind is ignored by name.
        }
    }
}
