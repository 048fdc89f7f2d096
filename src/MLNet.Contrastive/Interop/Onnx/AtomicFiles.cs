namespace MLNet.Contrastive.Interop.Onnx;

/// <summary>Writes files without ever leaving a half-written one: each goes to a temporary file beside it first.</summary>
internal static class AtomicFiles
{
    /// <summary>
    /// Writes every file to a temporary file in its directory, flushes them to disk, then moves them over their
    /// targets in order. If a write fails, the temporary files are deleted and no target is touched.
    /// </summary>
    /// <param name="files">Each target path (full) with the action that writes its content.</param>
    /// <exception cref="DirectoryNotFoundException">A target's directory does not exist (the message names it).</exception>
    /// <exception cref="IOException">Writing or moving failed.</exception>
    /// <exception cref="UnauthorizedAccessException">A target cannot be written.</exception>
    internal static void Write(IReadOnlyList<(string Path, Action<Stream> Write)> files)
    {
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

        var temporaries = new List<string>(files.Count);
        try
        {
            foreach (var (path, write) in files)
            {
                var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
                temporaries.Add(temporary);
                using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            for (var i = 0; i < files.Count; i++)
            {
                File.Move(temporaries[i], files[i].Path, overwrite: true);
            }
        }
        finally
        {
            foreach (var temporary in temporaries)
            {
                File.Delete(temporary);
            }
        }
    }
}
