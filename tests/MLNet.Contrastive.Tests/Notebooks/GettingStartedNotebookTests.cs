using System.Reflection;
using System.Text.Json;

namespace MLNet.Contrastive.Tests.Notebooks;

/// <summary>
/// Runs examples/notebooks/GettingStarted.ipynb as a .NET 10 file-based program and checks what it prints.
/// </summary>
/// <remarks>
/// The program is written under the repository's artifacts/ folder (git-ignored, inside no project), not to a temp
/// folder: MSBuild imports the Directory.Build.props/targets of the folders above a file-based program, and the
/// repository's Directory.Build.targets is what applies the libstdc++ fix (src/MLNet.Contrastive/build/) to the
/// program's output. A program in /tmp would get TorchSharp through <c>#:project</c> but not the fix (targets of a
/// ProjectReference do not flow to the referencing project), and on Debian 12 torch would fail to load.
/// </remarks>
[TestClass]
public sealed class GettingStartedNotebookTests
{
    private static readonly string RepoRoot = FindRepoRoot();
    private static readonly string NotebookPath = Path.Combine(RepoRoot, "examples", "notebooks", "GettingStarted.ipynb");

    [TestMethod]
    public void Notebook_IsCSharpPolyglotNotebook_ReferencingThisPackageVersionFirst()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(NotebookPath));
        var root = document.RootElement;
        Assert.AreEqual(".net-csharp", root.GetProperty("metadata").GetProperty("kernelspec").GetProperty("name").GetString());

        var codeCells = root.GetProperty("cells").EnumerateArray().Where(c => c.GetProperty("cell_type").GetString() == "code").ToList();
        Assert.IsGreaterThanOrEqualTo(5, codeCells.Count);
        foreach (var cell in codeCells)
        {
            Assert.AreEqual("csharp", cell.GetProperty("metadata").GetProperty("dotnet_interactive").GetProperty("language").GetString());
        }

        Assert.IsGreaterThan(codeCells.Count, root.GetProperty("cells").GetArrayLength(), "markdown cells explain the steps");

        var version = typeof(TorchRuntime).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        var firstLine = NotebookProgram.CodeCells(File.ReadAllText(NotebookPath))[0].Split('\n')[0].Trim();
        Assert.AreEqual($"#r \"nuget: MLNet.Contrastive, {version}\"", firstLine);
    }

    [TestMethod]
    public void ToFileBasedProgram_HoistsUsings_DropsKernelDirectives_KeepsOtherPackages_MovesDeclarationCellsLast()
    {
        var notebook = JsonSerializer.Serialize(new
        {
            cells = new object[]
            {
                new { cell_type = "code", source = new[] { "#r \"nuget: MLNet.Contrastive, 1.0\"\n", "#r \"nuget: ScottPlot, 5.1.59\"\n", "#!time\n", "using System.Text;\n", "var a = 1;" } },
                new { cell_type = "markdown", source = new[] { "var hidden = 0;" } },
                new { cell_type = "code", source = new[] { "// a type\n", "public sealed class Row { public int A { get; set; } }" } },
                new { cell_type = "code", source = "using System.Text;\nusing var stream = new MemoryStream();\ndisplay(a);\ndisplay(HTML(\"<b>a</b>\"));" },
            },
        });

        var program = NotebookProgram.ToFileBasedProgram(notebook, new[] { "#:property A=b" });

        var expected = string.Join('\n',
            "#:property A=b",
            "#:package ScottPlot@5.1.59",
            "",
            "using System.Text;",
            "",
            "var a = 1;",
            "using var stream = new MemoryStream();",
            "display(a);",
            "display(HTML(\"<b>a</b>\"));",
            "",
            "static void display(object? value) => Console.WriteLine(value);",
            "",
            "static string HTML(string html) => html;",
            "",
            "// a type",
            "public sealed class Row { public int A { get; set; } }",
            "");
        Assert.AreEqual(expected, program);
    }

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void Notebook_RunAsFileBasedProgram_FindsAndClustersAnswersOfTheRightTopic()
    {
        var library = Path.Combine(RepoRoot, "src", "MLNet.Contrastive", "MLNet.Contrastive.csproj");
        var program = NotebookProgram.ToFileBasedProgram(File.ReadAllText(NotebookPath), new[]
        {
            $"#:project {library}",
            "#:property PublishAot=false",
            // The notebook declares public row classes; the repository's props demand XML docs on public members.
            "#:property GenerateDocumentationFile=false",
            // The notebook's own #r "nuget: Name, Version" lines become #:package Name@Version: versions of its own,
            // not the repository's central ones.
            "#:property ManagePackageVersionsCentrally=false",
        });
        var directory = Path.Combine(RepoRoot, "artifacts", "notebook-tests");
        Directory.CreateDirectory(directory);
        var programPath = Path.Combine(directory, "GettingStarted.cs");
        File.WriteAllText(programPath, program);

        var configuration = typeof(GettingStartedNotebookTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var result = DotNetCli.Run(directory, TimeSpan.FromMinutes(4), "run", "--disable-build-servers", "-c", configuration, "--file", programPath);
        var output = result.Output;
        Console.WriteLine($"dotnet run took {result.Elapsed.TotalSeconds:0.0} s");
        Assert.AreEqual(0, result.ExitCode, $"dotnet run failed: {result}");

        GettingStartedOutput.AssertAll(output);
    }

    private static string FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MLNet.Contrastive.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No MLNet.Contrastive.sln above {AppContext.BaseDirectory}.");
    }
}
