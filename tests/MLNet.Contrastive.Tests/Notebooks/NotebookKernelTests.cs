using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using MLNet.Contrastive.Runtime;

namespace MLNet.Contrastive.Tests.Notebooks;

/// <summary>
/// Runs examples/notebooks/GettingStarted.ipynb in the real .NET Interactive kernel, headless, through dotnet-repl
/// (the repository's local tool manifest, .config/dotnet-tools.json), against the library packed into a local feed
/// under a version of its own; then checks every cell's printed output.
/// </summary>
/// <remarks>
/// A kernel never runs the package's MSBuild targets, so on Debian 12 TorchSharp loads only through the run-time fix
/// (LibTorchSharpRuntimeFix): the kernel gets a fresh XDG_CACHE_HOME, and the test checks the patched copy it left.
/// The kernel also runs with a foreign libtorch first on the library search path (stand-ins named libc10.so,
/// libtorch_cpu.so and libtorch.so on LD_LIBRARY_PATH, as Debian's python3-torch puts its libtorch 1.13 in the system
/// library directory): the library must bind TorchSharp to the libtorch package it references, never to those.
/// </remarks>
[TestClass]
public sealed class NotebookKernelTests
{
    private static readonly string RepoRoot = FindRepoRoot();
    private string work = string.Empty;
    private string version = string.Empty;

    [TestInitialize]
    public void CreateWorkDirectory()
    {
        work = Directory.CreateTempSubdirectory("mlnet-contrastive-kernel-").FullName;
        version = $"0.1.0-kernel.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
    }

    [TestCleanup]
    public void Cleanup()
    {
        Directory.Delete(work, recursive: true);
        // The kernel restored the test's own package version into the shared NuGet cache: remove it.
        var cache = typeof(NotebookKernelTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NuGetPackageRoot").Value!;
        var restored = Path.Combine(cache, "mlnet.contrastive", version.ToLowerInvariant());
        if (Directory.Exists(restored))
        {
            Directory.Delete(restored, recursive: true);
        }
    }

    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public void GettingStarted_InTheRealKernel_PrintsTheExpectedResults()
    {
        var feed = Directory.CreateDirectory(Path.Combine(work, "feed")).FullName;
        var library = Path.Combine(RepoRoot, "src", "MLNet.Contrastive", "MLNet.Contrastive.csproj");
        var pack = DotNetCli.Run(work, TimeSpan.FromMinutes(2), "pack", library, "--no-build", "-c", Configuration(), "-o", feed, $"-p:Version={version}");
        Assert.AreEqual(0, pack.ExitCode, $"dotnet pack failed: {pack}");
        var restore = DotNetCli.Run(RepoRoot, TimeSpan.FromMinutes(3), "tool", "restore");
        Assert.AreEqual(0, restore.ExitCode, $"dotnet tool restore failed: {restore}");

        var notebook = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoRoot, "examples", "notebooks", "GettingStarted.ipynb")))!;
        var first = notebook["cells"]!.AsArray().First(c => (string?)c!["cell_type"] == "code")!;
        var source = Source(first["source"]!);
        const string reference = "#r \"nuget: MLNet.Contrastive, 0.1.0\"";
        StringAssert.StartsWith(source, reference);
        first["source"] = $"#i \"nuget: {feed}\"\n#r \"nuget: MLNet.Contrastive, {version}\"" + source[reference.Length..];
        var input = Path.Combine(work, "GettingStarted.ipynb");
        var output = Path.Combine(work, "GettingStarted.out.ipynb");
        File.WriteAllText(input, notebook.ToJsonString());
        var cacheHome = Path.Combine(work, "cache");
        var foreign = ForeignLibTorch.Create(Path.Combine(work, "foreign-libtorch"));

        // From the repository root, where dotnet finds the tool manifest; every path is absolute.
        var run = DotNetCli.Run(RepoRoot, TimeSpan.FromMinutes(6), new Dictionary<string, string> { ["XDG_CACHE_HOME"] = cacheHome, ["LD_LIBRARY_PATH"] = foreign },
            "tool", "run", "dotnet-repl", "--", "--run", input, "--exit-after-run", "--output-path", output);
        Console.WriteLine($"dotnet-repl took {run.Elapsed.TotalSeconds:0.0} s");
        Assert.IsTrue(File.Exists(output), $"no output notebook: {run}");
        var printed = Printed(JsonNode.Parse(File.ReadAllText(output))!);
        Assert.AreEqual(0, run.ExitCode, $"dotnet-repl failed: {run}\n{printed}");
        GettingStartedOutput.AssertAll(printed);

        var patched = Directory.Exists(cacheHome)
            ? Directory.GetFiles(cacheHome, LibTorchSharpRuntimeFix.LibraryFileName, SearchOption.AllDirectories)
            : [];
        if (ElfVerneed.SystemLibStdCxxHas(LibTorchSharpRuntimeFix.VersionName))
        {
            Assert.IsEmpty(patched, "a libstdc++ with GLIBCXX_3.4.32 needs no patched copy");
        }
        else
        {
            Assert.HasCount(1, patched, "on an older libstdc++ the kernel loads torch through the patched copy");
            Assert.IsFalse(LibTorchSharpRuntimeFix.NeedsPatch(File.ReadAllBytes(patched[0])), "the copy's GLIBCXX_3.4.32 requirement is weak");
            var links = Directory.GetFiles(Path.GetDirectoryName(patched[0])!, "lib*.so*").Select(f => new FileInfo(f).LinkTarget).OfType<string>().ToList();
            Assert.IsNotEmpty(links);
            Assert.IsFalse(links.Any(l => l.StartsWith(foreign, StringComparison.Ordinal)), "no link points at the foreign libtorch");
        }
    }

    // Every stream output, text/plain result and text/html display of every cell, in order.
    private static string Printed(JsonNode notebook)
    {
        var text = new StringBuilder();
        foreach (var cell in notebook["cells"]!.AsArray())
        {
            foreach (var output in cell!["outputs"]?.AsArray() ?? [])
            {
                var lines = output!["text"] ?? output["data"]?["text/plain"];
                if (lines is not null)
                {
                    text.Append(Source(lines)).Append('\n');
                }

                // display(HTML(...)): the training curve's <img> markup.
                if (output["data"]?["text/html"] is { } html)
                {
                    text.Append(Source(html)).Append('\n');
                }

                if ((string?)output["output_type"] == "error")
                {
                    text.Append("ERROR: ").Append(output["ename"]).Append(": ").Append(output["evalue"]).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    private static string Source(JsonNode node) => node is JsonArray lines ? string.Concat(lines.Select(l => l?.GetValue<string>())) : node.GetValue<string>();

    private static string Configuration() =>
        typeof(NotebookKernelTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private static string FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MLNet.Contrastive.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("MLNet.Contrastive.sln not found above the test output.");
    }
}
