namespace MLNet.Contrastive.Tests.Notebooks;

/// <summary>
/// A folder of stand-ins for another libtorch: valid shared libraries (copies of the system's zlib) under libtorch's
/// file names and without any of its symbols, so a process that binds to them by name cannot run TorchSharp.
/// </summary>
internal static class ForeignLibTorch
{
    internal static readonly string[] FileNames = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    /// <summary>Creates the folder.</summary>
    /// <returns>Its full path, for <c>LD_LIBRARY_PATH</c>.</returns>
    internal static string Create(string directory)
    {
        var zlib = new[] { "/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib64/libz.so.1" }
            .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("no libz.so.1 to copy as a stand-in libtorch");
        var folder = Directory.CreateDirectory(directory).FullName;
        foreach (var name in FileNames)
        {
            File.Copy(zlib, Path.Combine(folder, name));
        }

        return folder;
    }
}
