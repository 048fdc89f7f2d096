using System.Reflection;
using System.Text;

namespace MLNet.Contrastive.Tests.Runtime;

/// <summary>The build step that makes TorchSharp's native library loadable on libstdc++ older than GCC 13's.</summary>
[TestClass]
public sealed class GlibcxxCompatTests
{
    private const string Version = "GLIBCXX_3.4.32";

    private static string PackageLibrary
    {
        get
        {
            var root = typeof(GlibcxxCompatTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "NuGetPackageRoot").Value!;
            return Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        }
    }

    private static string OutputLibrary => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [TestMethod]
    public void Patch_PackageLibrary_ChangesOnlyTheWeakFlagBit()
    {
        var original = File.ReadAllBytes(PackageLibrary);
        var patched = (byte[])original.Clone();

        var result = ElfVerneed.Patch(patched, Version);

        Assert.AreEqual(ElfVerneed.PatchResult.Patched, result);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        Assert.HasCount(1, changed, "exactly one byte (the low byte of vna_flags) may change");
        Assert.AreEqual(0x2, patched[changed[0]] ^ original[changed[0]], "only VER_FLG_WEAK (0x2) may be set");
    }

    [TestMethod]
    public void Patch_AppliedTwice_IsIdempotent()
    {
        var bytes = File.ReadAllBytes(PackageLibrary);
        ElfVerneed.Patch(bytes, Version);
        var once = (byte[])bytes.Clone();

        var second = ElfVerneed.Patch(bytes, Version);

        Assert.AreEqual(ElfVerneed.PatchResult.AlreadyWeak, second);
        CollectionAssert.AreEqual(once, bytes);
    }

    [TestMethod]
    public void Patch_LibraryWithoutTheRequirement_ReportsNotRequired()
    {
        var bytes = File.ReadAllBytes(PackageLibrary);
        var untouched = (byte[])bytes.Clone();

        var result = ElfVerneed.Patch(bytes, "GLIBCXX_9.9.99");

        Assert.AreEqual(ElfVerneed.PatchResult.NotRequired, result);
        CollectionAssert.AreEqual(untouched, bytes);
    }

    [TestMethod]
    public void Patch_NotAnElfFile_Throws()
    {
        var bytes = Encoding.ASCII.GetBytes(new string('x', 128));

        Assert.ThrowsExactly<InvalidDataException>(() => ElfVerneed.Patch(bytes, Version));
    }

    [TestMethod]
    public void Build_PatchesTheOutputCopyOnly_WhenTheSystemLacksTheVersion()
    {
        var systemHasIt = File.ReadAllText("/usr/lib/x86_64-linux-gnu/libstdc++.so.6", Encoding.Latin1).Contains(Version + "\0", StringComparison.Ordinal);

        // The package cache is never edited: its requirement is still strong.
        Assert.AreEqual(ElfVerneed.PatchResult.Patched, ElfVerneed.Patch(File.ReadAllBytes(PackageLibrary), Version));

        // The copy in the build output is weak exactly when this system needs it.
        var expected = systemHasIt ? ElfVerneed.PatchResult.Patched : ElfVerneed.PatchResult.AlreadyWeak;
        Assert.AreEqual(expected, ElfVerneed.Patch(File.ReadAllBytes(OutputLibrary), Version));
    }
}
