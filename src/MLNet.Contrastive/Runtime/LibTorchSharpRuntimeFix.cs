using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace MLNet.Contrastive.Runtime;

/// <summary>
/// Binds TorchSharp to the libtorch of the package version it references, and patches <c>libLibTorchSharp.so</c> at
/// run time where no build step did (docs/linux-libstdcxx.md). Both matter for hosts that never run the package's MSBuild
/// targets and have no deps.json for libtorch, such as a notebook kernel.
/// </summary>
/// <remarks>
/// <para>Binding: in such a host TorchSharp first loads <c>torch_cpu</c> by name, so the system's default search decides,
/// and a libtorch installed system-wide (Debian's <c>python3-torch</c> puts 1.13 in the system library directory) or
/// on <c>LD_LIBRARY_PATH</c> wins; TorchSharp's later loads then bind to it by soname and fail. Before that happens this
/// class loads <c>libc10.so</c>, <c>libtorch_cpu.so</c> and <c>libtorch.so</c> by absolute path from the
/// <c>libtorch-cpu-linux-x64</c> package of the version TorchSharp was built for. It never asks the default search.</para>
/// <para>Patching: when the <c>libLibTorchSharp.so</c> that TorchSharp would load requires <c>GLIBCXX_3.4.32</c> and the
/// system's libstdc++ lacks it, a patched copy is written under the user's cache (<c>$XDG_CACHE_HOME</c> or
/// <c>~/.cache</c>, <c>mlnet-contrastive/libtorchsharp-&lt;hash&gt;/</c>) beside links to that libtorch's libraries,
/// loaded, and handed to TorchSharp's <c>DllImport</c>s through a resolver. The package's own files are never edited.</para>
/// </remarks>
internal static class LibTorchSharpRuntimeFix
{
    internal const string VersionName = "GLIBCXX_3.4.32";
    internal const string LibraryFileName = "libLibTorchSharp.so";
    internal const string CpuPackageName = "libtorch-cpu-linux-x64";

    // Loaded in this order, each by absolute path, so that every later dependency resolves to an earlier one by soname.
    private static readonly string[] LibTorchLibraries = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    /// <summary>Binds libtorch and applies the patch where TorchSharp's normal load would fail or bind wrongly here.</summary>
    /// <returns>The patched copy that was loaded, or <see langword="null"/> when none was needed or possible.</returns>
    internal static string? ApplyIfNeeded()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return null;
        }

        var torchAssembly = typeof(torch).Assembly;
        var torchDirectory = Path.GetDirectoryName(torchAssembly.Location);
        var source = FindLibrary(torchDirectory);
        var libtorch = FindLibTorch(torchDirectory, source, ReferencedLibTorchVersion(torchAssembly), NuGetPackagesRoot());
        if (libtorch is { FromPackageFolder: true } && BuiltForCpu())
        {
            Preload(libtorch.Value.Directory);
        }

        if (source is null || !NeedsPatch(File.ReadAllBytes(source)) || ElfVerneed.SystemLibStdCxxHas(VersionName))
        {
            return null;
        }

        var directory = PrepareCopy(source, CacheRoot(), libtorch?.Directory);
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

    /// <summary>
    /// Finds the libtorch that belongs to this TorchSharp: the one beside <paramref name="libTorchSharp"/> (a build or
    /// publish output, which ships the backend the application references), else, when TorchSharp runs from its NuGet
    /// package folder (<c>&lt;packages&gt;/torchsharp/&lt;version&gt;/lib/&lt;tfm&gt;/</c>, a notebook kernel) or
    /// beside an output without libtorch, the <c>libtorch-cpu-linux-x64</c> package of exactly
    /// <paramref name="version"/>. Never another version, never the system's search path.
    /// </summary>
    /// <param name="torchDirectory">The folder of TorchSharp.dll.</param>
    /// <param name="libTorchSharp">The libLibTorchSharp.so TorchSharp would load, if found.</param>
    /// <param name="version">The libtorch package version TorchSharp was built for (NuGet's normalized form or four parts).</param>
    /// <param name="packagesRoot">The NuGet global packages folder for outputs outside it.</param>
    /// <returns>The folder and whether TorchSharp runs from its package folder (so no deps.json lists libtorch and the
    /// default search would decide), or <see langword="null"/>.</returns>
    internal static (string Directory, bool FromPackageFolder)? FindLibTorch(
        string? torchDirectory, string? libTorchSharp, string? version, string? packagesRoot)
    {
        if (libTorchSharp is not null && Path.GetDirectoryName(libTorchSharp) is { } beside
            && File.Exists(Path.Combine(beside, "libtorch_cpu.so")) && !IsPackageLayout(torchDirectory))
        {
            return (beside, false);
        }

        var packageLayout = IsPackageLayout(torchDirectory);
        var packages = packageLayout
            ? Path.GetFullPath(Path.Combine(torchDirectory!, "..", "..", "..", ".."))
            : packagesRoot;
        if (packages is null || version is null)
        {
            return null;
        }

        var directory = Path.Combine(packages, CpuPackageName, NormalizeVersion(version), "runtimes", "linux-x64", "native");
        return LibTorchLibraries.All(name => File.Exists(Path.Combine(directory, name))) ? (directory, packageLayout) : null;
    }

    /// <summary>NuGet's folder name for a version: three parts, a non-zero fourth kept, any suffix dropped ("2.10.0.0" is "2.10.0").</summary>
    internal static string NormalizeVersion(string version)
    {
        var parts = version.Split('-', '+')[0].Split('.');
        var normalized = string.Join('.', parts.Take(3));
        return parts.Length > 3 && parts[3] != "0" ? normalized + "." + parts[3] : normalized;
    }

    /// <summary>The libtorch package version the loaded TorchSharp was built for (its <c>libtorchPackageVersion</c>
    /// constant, read without running TorchSharp's static constructor), or <see langword="null"/> when it has none.</summary>
    internal static string? ReferencedLibTorchVersion(Assembly torchAssembly) =>
        torchAssembly.GetType("TorchSharp.torch")?
            .GetField("libtorchPackageVersion", BindingFlags.NonPublic | BindingFlags.Static) is { IsLiteral: true } field
            ? field.GetRawConstantValue() as string
            : null;

    /// <summary>Writes a patched copy of <paramref name="source"/> into a folder of <paramref name="cacheRoot"/> named by
    /// the source's hash and the dependency folder, with symbolic links to the libraries of <paramref name="dependencies"/>
    /// (found through the copy's <c>$ORIGIN</c> run path); idempotent, safe against a concurrent writer, and a link that
    /// points elsewhere is replaced.</summary>
    /// <returns>The folder.</returns>
    internal static string PrepareCopy(string source, string cacheRoot, string? dependencies)
    {
        var bytes = File.ReadAllBytes(source);
        var key = SHA256.HashData([.. bytes, .. System.Text.Encoding.UTF8.GetBytes("\0" + dependencies)]);
        var hash = Convert.ToHexString(key)[..16].ToLowerInvariant();
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
            if (Path.GetFileName(file) == LibraryFileName || new FileInfo(link).LinkTarget == file)
            {
                continue;
            }

            var temporary = link + $".{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tmp";
            File.Delete(temporary);
            File.CreateSymbolicLink(temporary, file);
            File.Move(temporary, link, overwrite: true); // rename(2): atomic, also against a concurrent process
        }

        return directory;
    }

    // A CUDA build of this library leaves binding to TorchSharp: its libtorch_cpu.so is the CUDA package's.
    private static bool BuiltForCpu() =>
        typeof(LibTorchSharpRuntimeFix).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "TorchBackend")?.Value is null or "linux-cpu" or "cpu";

    private static void Preload(string directory)
    {
        foreach (var name in LibTorchLibraries)
        {
            if (!NativeLibrary.TryLoad(Path.Combine(directory, name), out _))
            {
                return; // TorchSharp's own load reports what is wrong
            }
        }
    }

    // TorchSharp.dll inside its NuGet package folder: .../torchsharp/<version>/lib/<tfm>/TorchSharp.dll.
    private static bool IsPackageLayout(string? torchDirectory) =>
        torchDirectory is not null
        && Path.GetFileName(Path.GetDirectoryName(torchDirectory)) == "lib"
        && string.Equals(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(torchDirectory)))), "torchsharp", StringComparison.OrdinalIgnoreCase);

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

    private static string NuGetPackagesRoot() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static string CacheRoot() =>
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
}
