using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace MLNet.Contrastive.Runtime;

/// <summary>
/// The run-time twin of the package's build step (docs/linux-libstdcxx.md), for hosts that never run the package's
/// MSBuild targets, such as a notebook kernel: when the <c>libLibTorchSharp.so</c> that TorchSharp would load requires
/// <c>GLIBCXX_3.4.32</c> and the system's libstdc++ lacks it, a patched copy is written under the user's cache
/// (<c>$XDG_CACHE_HOME</c> or <c>~/.cache</c>, <c>mlnet-contrastive/libtorchsharp-&lt;hash&gt;/</c>) beside links to
/// libtorch's libraries, loaded, and handed to TorchSharp's <c>DllImport</c>s through a resolver. The package's own
/// files are never edited.
/// </summary>
internal static class LibTorchSharpRuntimeFix
{
    internal const string VersionName = "GLIBCXX_3.4.32";
    internal const string LibraryFileName = "libLibTorchSharp.so";

    /// <summary>Applies the fix when TorchSharp's normal load would fail here.</summary>
    /// <returns>The patched copy that was loaded, or <see langword="null"/> when nothing was needed or possible.</returns>
    internal static string? ApplyIfNeeded()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return null;
        }

        var torchAssembly = typeof(torch).Assembly;
        var source = FindLibrary(Path.GetDirectoryName(torchAssembly.Location));
        if (source is null || !NeedsPatch(File.ReadAllBytes(source)) || ElfVerneed.SystemLibStdCxxHas(VersionName))
        {
            return null;
        }

        var directory = PrepareCopy(source, CacheRoot(), LibTorchDirectory(torchAssembly));
        var patched = Path.Combine(directory, LibraryFileName);
        var handle = NativeLibrary.Load(patched);
        try
        {
            NativeLibrary.SetDllImportResolver(torchAssembly, (name, _, _) =>
                name is "LibTorchSharp" or "libLibTorchSharp" or LibraryFileName ? handle : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
            return null; // the host set its own resolver for TorchSharp: leave loading to it
        }

        return patched;
    }

    /// <summary>Whether the library requires the version without the weak flag (so it cannot load without it).</summary>
    internal static bool NeedsPatch(byte[] library) =>
        ElfVerneed.Patch((byte[])library.Clone(), VersionName) == ElfVerneed.PatchResult.Patched;

    /// <summary>Writes a patched copy of <paramref name="source"/> into a folder of <paramref name="cacheRoot"/> named by
    /// the source's hash, with symbolic links to the libraries of <paramref name="dependencies"/> (found through the
    /// copy's <c>$ORIGIN</c> run path); idempotent and safe against a concurrent writer.</summary>
    /// <returns>The folder.</returns>
    internal static string PrepareCopy(string source, string cacheRoot, string? dependencies)
    {
        var bytes = File.ReadAllBytes(source);
        var hash = Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
        var directory = Directory.CreateDirectory(Path.Combine(cacheRoot, "mlnet-contrastive", "libtorchsharp-" + hash)).FullName;
        var target = Path.Combine(directory, LibraryFileName);
        if (!File.Exists(target))
        {
            ElfVerneed.Patch(bytes, VersionName);
            var temporary = Path.Combine(directory, $".{LibraryFileName}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tmp");
            File.WriteAllBytes(temporary, bytes);
            try
            {
                File.Move(temporary, target, overwrite: false);
            }
            catch (IOException) when (File.Exists(target))
            {
                File.Delete(temporary); // another process wrote the same bytes first
            }
        }

        foreach (var file in dependencies is null ? [] : Directory.GetFiles(dependencies, "lib*.so*"))
        {
            var link = Path.Combine(directory, Path.GetFileName(file));
            if (Path.GetFileName(file) != LibraryFileName && !File.Exists(link))
            {
                try
                {
                    File.CreateSymbolicLink(link, file);
                }
                catch (IOException) when (File.Exists(link))
                {
                    // created by a concurrent process
                }
            }
        }

        return directory;
    }

    private static string? FindLibrary(string? torchDirectory)
    {
        if (torchDirectory is null)
        {
            return null;
        }

        // Build output (flat or runtimes/), then the NuGet package layout (lib/<tfm>/ beside runtimes/).
        return new[]
        {
            Path.Combine(torchDirectory, LibraryFileName),
            Path.Combine(torchDirectory, "runtimes", "linux-x64", "native", LibraryFileName),
            Path.Combine(torchDirectory, "..", "..", "runtimes", "linux-x64", "native", LibraryFileName),
        }.Select(Path.GetFullPath).FirstOrDefault(File.Exists);
    }

    // Where libtorch_cpu.so is: loaded the host's normal way (it needs no newer libstdc++), else the NuGet package.
    private static string? LibTorchDirectory(Assembly torchAssembly)
    {
        if (NativeLibrary.TryLoad("torch_cpu", torchAssembly, null, out _))
        {
            var loaded = File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault())
                .FirstOrDefault(path => path is not null && path.EndsWith("/libtorch_cpu.so", StringComparison.Ordinal));
            if (loaded is not null)
            {
                return Path.GetDirectoryName(loaded);
            }
        }

        var packages = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(torchAssembly.Location)!, "..", "..", "..", ".."));
        return Directory.Exists(packages)
            ? Directory.GetDirectories(packages, "libtorch-cpu-linux-x64")
                .SelectMany(p => Directory.GetDirectories(p))
                .OrderByDescending(v => v, StringComparer.Ordinal)
                .Select(v => Path.Combine(v, "runtimes", "linux-x64", "native"))
                .FirstOrDefault(d => File.Exists(Path.Combine(d, "libtorch_cpu.so")))
            : null;
    }

    private static string CacheRoot() =>
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
}
