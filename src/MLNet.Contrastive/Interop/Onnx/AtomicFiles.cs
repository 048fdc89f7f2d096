namespace MLNet.Contrastive.Interop.Onnx;

/// <summary>
/// Writes a set of files that belong together (a graph and its vocabulary) so that the folder ends with all of the new
/// ones or all of the old ones, never a mix, and never a half-written file.
/// </summary>
internal static class AtomicFiles
{
    /// <summary>
    /// Writes every file to a temporary file in its directory and flushes it to disk; then moves each existing target
    /// aside and the new file in. If a write or a move fails, every target is put back as it was and the temporary files
    /// are deleted.
    /// </summary>
    /// <param name="files">Each target path (full) with the action that writes its content.</param>
    /// <param name="move">How a file is renamed (the tests make it fail); <see langword="null"/> for rename(2) through
    /// <see cref="File.Move(string, string, bool)"/> with overwrite (without it .NET may copy and delete, which can leave
    /// a copy behind when the delete is refused). Every target of a rename is a fresh name or a path already moved aside.</param>
    /// <exception cref="DirectoryNotFoundException">A target's directory does not exist (the message names it).</exception>
    /// <exception cref="IOException">Writing or replacing failed; the targets are as they were.</exception>
    /// <exception cref="UnauthorizedAccessException">A target cannot be written; the targets are as they were.</exception>
    internal static void Write(IReadOnlyList<(string Path, Action<Stream> Write)> files, Action<string, string>? move = null)
    {
        move ??= (source, target) => File.Move(source, target, overwrite: true);
        foreach (var (path, _) in files)
        {
            var directory = Path.GetDirectoryName(path)!;
            if (!Directory.Exists(directory))
            {
                throw new DirectoryNotFoundException($"Cannot write '{path}': the directory '{directory}' does not exist.");
            }

            if (Directory.Exists(path))
            {
                throw new IOException($"Cannot write '{path}': a directory of that name exists.");
            }
        }

        string Beside(string path, string kind) => Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.{kind}");
        var temporaries = files.Select(f => Beside(f.Path, "tmp")).ToArray();
        var backups = new string?[files.Count];
        var placed = 0;
        try
        {
            for (var i = 0; i < files.Count; i++)
            {
                using var stream = new FileStream(temporaries[i], FileMode.CreateNew, FileAccess.Write, FileShare.None);
                files[i].Write(stream);
                stream.Flush(flushToDisk: true);
            }

            // Each target goes aside before its new file comes in, so that every step can be undone.
            for (; placed < files.Count; placed++)
            {
                var target = files[placed].Path;
                if (File.Exists(target))
                {
                    backups[placed] = Beside(target, "old");
                    move(target, backups[placed]!);
                }

                move(temporaries[placed], target);
            }
        }
        catch (Exception e)
        {
            if (Restore(files, backups, placed) is { Length: > 0 } stranded)
            {
                throw new IOException($"{e.Message} Putting the previous files back failed too: {stranded}", e);
            }

            throw;
        }
        finally
        {
            foreach (var temporary in temporaries)
            {
                TryDelete(temporary);
            }
        }

        foreach (var backup in backups)
        {
            if (backup is not null)
            {
                TryDelete(backup);
            }
        }
    }

    // Puts every target back: the new files placed so far are removed and the old ones moved back. Best effort for each
    // file; says which old files could not be put back and where they are.
    private static string Restore(IReadOnlyList<(string Path, Action<Stream> Write)> files, string?[] backups, int placed)
    {
        var stranded = new List<string>();
        for (var i = Math.Min(placed, files.Count - 1); i >= 0; i--)
        {
            var target = files[i].Path;
            if (backups[i] is not { } backup || !File.Exists(backup))
            {
                // Nothing was moved aside (or the move failed, leaving the target as it was): remove only what we placed.
                if (i < placed && backups[i] is null)
                {
                    TryDelete(target);
                }

                continue;
            }

            try
            {
                File.Move(backup, target, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stranded.Add($"'{target}' is at '{backup}' ({e.Message})");
            }
        }

        return string.Join("; ", stranded);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A temporary file left behind is harmless: its name starts with a dot and ends in .tmp or .old.
        }
    }
}
