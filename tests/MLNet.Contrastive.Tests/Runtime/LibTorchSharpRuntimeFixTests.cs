using System.Reflection;
using MLNet.Contrastive.Runtime;
using MLNet.Contrastive.Tests.Notebooks;
using TorchSharp;

namespace MLNet.Contrastive.Tests.Runtime;

/// <summary>The run-time libstdc++ fix for hosts without the build step (the kernel path: Notebooks/NotebookKernelTests.cs).</summary>
[TestClass]
public sealed class LibTorchSharpRuntimeFixTests
{
    private string cache = string.Empty;

    private static string PackageRoot => typeof(LibTorchSharpRuntimeFixTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "NuGetPackageRoot").Value!;

    private static string PackageLibrary =>
        Path.Combine(PackageRoot, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", LibTorchSharpRuntimeFix.LibraryFileName);

    [TestInitialize]
    public void CreateCache() => cache = Directory.CreateTempSubdirectory("mlnet-contrastive-fix-").FullName;

    [TestCleanup]
    public void DeleteCache() => Directory.Delete(cache, recursive: true);

    [TestMethod]
    public void PrepareCopy_PackageLibrary_WritesAWeakCopyWithDependencyLinksAndLeavesThePackageAlone()
    {
        var before = File.ReadAllBytes(PackageLibrary);
        var dependencies = Directory.CreateDirectory(Path.Combine(cache, "libtorch")).FullName;
        File.WriteAllText(Path.Combine(dependencies, "libc10.so"), "stand-in");

        var directory = LibTorchSharpRuntimeFix.PrepareCopy(PackageLibrary, cache, dependencies);

        Assert.IsTrue(LibTorchSharpRuntimeFix.NeedsPatch(before), "TorchSharp 0.107's own copy requires GLIBCXX_3.4.32");
        CollectionAssert.AreEqual(before, File.ReadAllBytes(PackageLibrary), "the NuGet cache is never edited");
        var copy = File.ReadAllBytes(Path.Combine(directory, LibTorchSharpRuntimeFix.LibraryFileName));
        Assert.IsFalse(LibTorchSharpRuntimeFix.NeedsPatch(copy));
        Assert.AreEqual(before.Length, copy.Length);
        Assert.AreEqual(1, before.Zip(copy).Count(p => p.First != p.Second), "one byte (the weak flag) differs");
        var link = new FileInfo(Path.Combine(directory, "libc10.so"));
        Assert.AreEqual(Path.Combine(dependencies, "libc10.so"), link.LinkTarget, "libtorch's libraries are linked beside the copy ($ORIGIN)");
        StringAssert.StartsWith(Path.GetFileName(directory), "libtorchsharp-");
    }

    [TestMethod]
    public void PrepareCopy_Twice_ReusesTheSameFolder()
    {
        var first = LibTorchSharpRuntimeFix.PrepareCopy(PackageLibrary, cache, dependencies: null);
        var written = File.GetLastWriteTimeUtc(Path.Combine(first, LibTorchSharpRuntimeFix.LibraryFileName));

        var second = LibTorchSharpRuntimeFix.PrepareCopy(PackageLibrary, cache, dependencies: null);

        Assert.AreEqual(first, second);
        Assert.AreEqual(written, File.GetLastWriteTimeUtc(Path.Combine(second, LibTorchSharpRuntimeFix.LibraryFileName)));
        Assert.HasCount(1, Directory.GetFiles(second), "no temporary file is left behind");
    }

    [TestMethod]
    public void ReferencedLibTorchVersion_OfTheLoadedTorchSharp_NamesTheRestoredCpuPackage()
    {
        var version = LibTorchSharpRuntimeFix.ReferencedLibTorchVersion(typeof(torch).Assembly);

        Assert.IsNotNull(version, "TorchSharp's libtorchPackageVersion constant is readable");
        var folder = Path.Combine(PackageRoot, LibTorchSharpRuntimeFix.CpuPackageName, LibTorchSharpRuntimeFix.NormalizeVersion(version));
        Assert.IsTrue(File.Exists(Path.Combine(folder, "runtimes", "linux-x64", "native", "libtorch_cpu.so")), folder);
    }

    [TestMethod]
    [DataRow("2.10.0.0", "2.10.0")]
    [DataRow("2.10.0", "2.10.0")]
    [DataRow("1.9.0.10", "1.9.0.10")]
    [DataRow("2.7.1.0-preview+abc", "2.7.1")]
    public void NormalizeVersion_GivesNuGetsFolderName(string version, string folder) =>
        Assert.AreEqual(folder, LibTorchSharpRuntimeFix.NormalizeVersion(version));

    [TestMethod]
    public void FindLibTorch_KernelLayout_TakesExactlyTheReferencedVersionNeverAnother()
    {
        var packages = Directory.CreateDirectory(Path.Combine(cache, "packages")).FullName;
        var torchDirectory = Directory.CreateDirectory(Path.Combine(packages, "torchsharp", "0.107.0", "lib", "net8.0")).FullName;
        var older = FakeLibTorch(packages, "2.7.1");
        var newer = FakeLibTorch(packages, "2.11.0");

        Assert.IsNull(LibTorchSharpRuntimeFix.FindLibTorch(torchDirectory, null, "2.10.0.0", packagesRoot: null),
            "neither an older nor a newer libtorch stands in for the referenced one");
        Assert.AreEqual((older, true), LibTorchSharpRuntimeFix.FindLibTorch(torchDirectory, null, "2.7.1.0", packagesRoot: null));
        var exact = FakeLibTorch(packages, "2.10.0");
        Assert.AreEqual((exact, true), LibTorchSharpRuntimeFix.FindLibTorch(torchDirectory, null, "2.10.0.0", packagesRoot: "/elsewhere"),
            "the kernel's own packages folder, above TorchSharp.dll");
        Assert.AreNotEqual(newer, exact);
        Assert.IsNull(LibTorchSharpRuntimeFix.FindLibTorch(torchDirectory, null, version: null, packagesRoot: null), "no version, no guess");
    }

    [TestMethod]
    public void FindLibTorch_BuildOutput_TakesTheLibTorchBesideLibTorchSharp()
    {
        var output = Directory.CreateDirectory(Path.Combine(cache, "bin", "runtimes", "linux-x64", "native")).FullName;
        var libTorchSharp = Path.Combine(output, LibTorchSharpRuntimeFix.LibraryFileName);
        File.WriteAllText(libTorchSharp, "stand-in");
        var packages = Directory.CreateDirectory(Path.Combine(cache, "packages")).FullName;
        var packaged = FakeLibTorch(packages, "2.10.0");

        Assert.AreEqual((packaged, false), LibTorchSharpRuntimeFix.FindLibTorch(Path.Combine(cache, "bin"), libTorchSharp, "2.10.0.0", packages),
            "an output without libtorch links the global packages folder's exact version (and preloads nothing: deps.json decides)");
        File.WriteAllText(Path.Combine(output, "libtorch_cpu.so"), "stand-in");
        Assert.AreEqual((output, false), LibTorchSharpRuntimeFix.FindLibTorch(Path.Combine(cache, "bin"), libTorchSharp, "2.10.0.0", packages));
    }

    [TestMethod]
    public void PrepareCopy_LinksLeftByAForeignLibTorch_AreNotReused()
    {
        var foreign = ForeignLibTorch.Create(Path.Combine(cache, "foreign"));
        var packaged = FakeLibTorch(Directory.CreateDirectory(Path.Combine(cache, "packages")).FullName, "2.10.0");

        var poisoned = LibTorchSharpRuntimeFix.PrepareCopy(PackageLibrary, cache, foreign);
        var directory = LibTorchSharpRuntimeFix.PrepareCopy(PackageLibrary, cache, packaged);

        Assert.AreNotEqual(poisoned, directory, "the folder is keyed by the libtorch it links to");
        foreach (var name in ForeignLibTorch.FileNames)
        {
            Assert.AreEqual(Path.Combine(packaged, name), new FileInfo(Path.Combine(directory, name)).LinkTarget);
        }

        // A folder whose link was changed behind its back (or by an older version of this library) is repaired.
        var link = Path.Combine(directory, "libtorch_cpu.so");
        File.Delete(link);
        File.CreateSymbolicLink(link, Path.Combine(foreign, "libtorch_cpu.so"));
        LibTorchSharpRuntimeFix.PrepareCopy(PackageLibrary, cache, packaged);
        Assert.AreEqual(Path.Combine(packaged, "libtorch_cpu.so"), new FileInfo(link).LinkTarget);
    }

    private static string FakeLibTorch(string packages, string version)
    {
        var directory = Directory.CreateDirectory(Path.Combine(packages, LibTorchSharpRuntimeFix.CpuPackageName, version, "runtimes", "linux-x64", "native")).FullName;
        foreach (var name in ForeignLibTorch.FileNames)
        {
            File.WriteAllText(Path.Combine(directory, name), version);
        }

        return directory;
    }
}
