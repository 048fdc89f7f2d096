using System.Reflection;
using MLNet.Contrastive.Runtime;

namespace MLNet.Contrastive.Tests.Runtime;

/// <summary>The run-time libstdc++ fix for hosts without the build step (the kernel path: Notebooks/NotebookKernelTests.cs).</summary>
[TestClass]
public sealed class LibTorchSharpRuntimeFixTests
{
    private string cache = string.Empty;

    private static string PackageLibrary
    {
        get
        {
            var root = typeof(LibTorchSharpRuntimeFixTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "NuGetPackageRoot").Value!;
            return Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", LibTorchSharpRuntimeFix.LibraryFileName);
        }
    }

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
}
