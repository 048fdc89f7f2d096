using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Tests.Notebooks;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Packaging;

/// <summary>
/// Packs src/MLNet.Contrastive (from the build the tests already made: <c>dotnet pack --no-build</c>), checks the
/// .nupkg, and builds and runs a console program outside the repository that references the package from a local
/// folder: the only way to see the package's buildTransitive libstdc++ step work for a real consumer.
/// </summary>
[TestClass]
public sealed class PackageTests
{
    private const string ConsumerProgram = """
        using Microsoft.ML;
        using Microsoft.ML.Data;
        using MLNet.Contrastive.Encoders;
        using MLNet.Contrastive.Transforms;

        var mlContext = new MLContext(seed: 1);
        var rows = Pair.Rows;
        var options = new ContrastiveEmbeddingOptions { EncoderKind = EncoderKind.Static, Width = 16, EmbeddingDimension = 16, BatchSize = 4, Epochs = 2, Seed = 3 };
        var model = mlContext.Transforms.ContrastiveEmbedding(options).Fit(mlContext.Data.LoadFromEnumerable(rows));
        var vector = model.Transform(mlContext.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Embedding").First();
        Console.WriteLine($"Embedding: {string.Join(" ", vector.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}");
        """;

    // The training rows of both the consumer program and the in-process reference.
    private static readonly (string Anchor, string Positive)[] Rows =
    {
        ("boil an egg", "cook the egg in boiling water"),
        ("bake bread", "bread bakes in a hot oven"),
        ("the red planet", "Mars is covered in red dust"),
        ("rings of Saturn", "Saturn has rings of ice"),
    };

    private static string workDirectory = string.Empty;
    private static string packagePath = string.Empty;

    public sealed class Pair
    {
        public string Anchor { get; set; } = string.Empty;

        public string Positive { get; set; } = string.Empty;
    }

    [ClassInitialize]
    public static void Pack(TestContext context)
    {
        workDirectory = Path.Combine(Path.GetTempPath(), $"mlnet-contrastive-package-{Guid.NewGuid():N}");
        var feed = Directory.CreateDirectory(Path.Combine(workDirectory, "feed")).FullName;
        var library = Path.Combine(RepoRoot(), "src", "MLNet.Contrastive", "MLNet.Contrastive.csproj");
        var pack = DotNetCli.Run(workDirectory, TimeSpan.FromMinutes(2), "pack", library, "--no-build", "-c", Configuration(), "-o", feed);
        Assert.AreEqual(0, pack.ExitCode, $"dotnet pack failed: {pack}");
        packagePath = Directory.GetFiles(feed, "MLNet.Contrastive.*.nupkg").Single();
    }

    [ClassCleanup]
    public static void DeleteWorkDirectory()
    {
        if (Directory.Exists(workDirectory))
        {
            Directory.Delete(workDirectory, recursive: true);
        }
    }

    [TestMethod]
    public void Package_HoldsLibraryDocsReadmeLicenceAndTargets_ButNoPublicizedMLNetOrPublicizer()
    {
        using var archive = ZipFile.OpenRead(packagePath);
        var entries = archive.Entries.Select(e => e.FullName).ToHashSet();
        foreach (var expected in new[]
        {
            "README.md", "LICENSE", "lib/net10.0/MLNet.Contrastive.dll", "lib/net10.0/MLNet.Contrastive.xml",
            "build/MLNet.Contrastive.targets", "build/GlibcxxCompat.cs",
            "buildTransitive/MLNet.Contrastive.targets", "buildTransitive/GlibcxxCompat.cs",
        })
        {
            Assert.Contains(expected, entries, $"package entries: {string.Join(", ", entries)}");
        }

        // The ML.NET internals are compiled against publicized copies (obj/publicized): those copies, and the tool
        // that makes them, must never ship; the consumer loads the real Microsoft.ML from its own package.
        Assert.IsFalse(entries.Any(e => e.Contains("Publicizer", StringComparison.OrdinalIgnoreCase) || e.Contains("Microsoft.ML.", StringComparison.Ordinal)),
            string.Join(", ", entries));
        Assert.AreEqual(1, entries.Count(e => e.EndsWith(".dll", StringComparison.Ordinal)), string.Join(", ", entries));

        using var nuspecStream = archive.GetEntry("MLNet.Contrastive.nuspec")!.Open();
        var nuspec = XDocument.Load(nuspecStream);
        var dependencies = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency")
            .ToDictionary(e => (string)e.Attribute("id")!, e => (string)e.Attribute("version")!);
        Assert.AreEqual("[5.0.1]", dependencies["Microsoft.ML"], "the publicized internals tie the library to one exact Microsoft.ML");
        foreach (var id in new[] { "Microsoft.ML.Tokenizers", "Microsoft.ML.Tokenizers.Data.Cl100kBase", "Microsoft.Extensions.AI.Abstractions", "TorchSharp", "libtorch-cpu-linux-x64" })
        {
            Assert.IsTrue(dependencies.ContainsKey(id), $"missing dependency {id}: {string.Join(", ", dependencies.Keys)}");
        }

        Assert.IsFalse(dependencies.Keys.Any(id => id.Contains("Publicizer", StringComparison.OrdinalIgnoreCase)));
        Assert.AreEqual("MIT", nuspec.Descendants().Single(e => e.Name.LocalName == "license").Value);
    }

    [TestMethod]
    public void PackagedAssembly_HoldsEvaluatorsAndTfIdf_ButNotTheExamplesData()
    {
        // The API-docs task, the SDK locator and the TSV reader serve the examples (examples/ExampleData); the package
        // keeps what users evaluate with. Read from the packed DLL itself, not from the assembly the tests loaded.
        using var archive = ZipFile.OpenRead(packagePath);
        using var dll = new MemoryStream();
        using (var entry = archive.GetEntry("lib/net10.0/MLNet.Contrastive.dll")!.Open())
        {
            entry.CopyTo(dll);
        }

        dll.Position = 0;
        using var pe = new System.Reflection.PortableExecutable.PEReader(dll);
        var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        var types = metadata.TypeDefinitions.Select(metadata.GetTypeDefinition)
            .Select(t => $"{metadata.GetString(t.Namespace)}.{metadata.GetString(t.Name)}").ToHashSet();
        foreach (var expected in new[]
        {
            "MLNet.Contrastive.Evaluation.RetrievalEvaluator", "MLNet.Contrastive.Evaluation.SimilarityEvaluator",
            "MLNet.Contrastive.Evaluation.TfIdfBaseline", "MLNet.Contrastive.Evaluation.RetrievalDataset",
            "Microsoft.ML.ContrastiveEmbeddingCatalog",
        })
        {
            Assert.Contains(expected, types);
        }

        var examplesOnly = types.Where(t => t.StartsWith("MLNet.Contrastive.Data.", StringComparison.Ordinal)
            || t.Contains("ApiDocs", StringComparison.Ordinal) || t.Contains("DotNetSdkLocator", StringComparison.Ordinal)
            || t.Contains("TsvPairsReader", StringComparison.Ordinal)).ToList();
        Assert.IsEmpty(examplesOnly, string.Join(", ", examplesOnly));
    }

    [TestMethod]
    public void PackagedAssembly_PublicTypes_AreExactlyThoseOfThePublicApiFiles()
    {
        // The build fails on a public member missing from PublicAPI.*.txt (PublicApiAnalyzers); this checks the shipped
        // binary against the same files, so that the face users see is the one the repository declares.
        using var archive = ZipFile.OpenRead(packagePath);
        using var dll = new MemoryStream();
        using (var entry = archive.GetEntry("lib/net10.0/MLNet.Contrastive.dll")!.Open())
        {
            entry.CopyTo(dll);
        }

        dll.Position = 0;
        using var pe = new System.Reflection.PortableExecutable.PEReader(dll);
        var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        var visibility = System.Reflection.TypeAttributes.VisibilityMask;
        var shipped = metadata.TypeDefinitions.Select(metadata.GetTypeDefinition)
            .Where(t => (t.Attributes & visibility) == System.Reflection.TypeAttributes.Public)
            .Select(t => $"{metadata.GetString(t.Namespace)}.{metadata.GetString(t.Name)}").Order(StringComparer.Ordinal).ToList();
        // In the API files a type is a line of its name alone; members carry a signature (" -> type").
        var source = Path.Combine(RepoRoot(), "src", "MLNet.Contrastive");
        var declared = new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" }
            .SelectMany(name => File.ReadAllLines(Path.Combine(source, name)))
            .Where(line => line.Length > 0 && !line.StartsWith('#') && !line.Contains(' '))
            .Order(StringComparer.Ordinal).ToList();

        CollectionAssert.AreEqual(declared, shipped, $"public types in the package: {string.Join(", ", shipped)}");
    }

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void ConsumerOutsideTheRepository_BuildsAgainstThePackage_AndTrainsLikeTheLibraryInProcess()
    {
        // Outside the repository, so that no Directory.Build.* of ours applies: only the package's own targets.
        var consumer = Directory.CreateDirectory(Path.Combine(workDirectory, "consumer")).FullName;
        var version = typeof(TorchRuntime).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="MLNet.Contrastive" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        var rowLiterals = string.Join(", ", Rows.Select(r => $"new Pair {{ Anchor = \"{r.Anchor}\", Positive = \"{r.Positive}\" }}"));
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), ConsumerProgram + $$"""


            public sealed class Pair
            {
                public static readonly Pair[] Rows = { {{rowLiterals}} };

                public string Anchor { get; set; } = "";

                public string Positive { get; set; } = "";
            }

            """);

        // The local feed for MLNet.Contrastive, the default nuget.org key for the rest; a package cache of its own
        // (outside the project folder, or the SDK would compile the package's .cs files) so that the freshly packed
        // 0.1.0 never lands in the shared cache, which serves every other package as a fallback folder.
        var sharedCache = typeof(PackageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NuGetPackageRoot").Value;
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(workDirectory, "packages")}" />
              </config>
              <fallbackPackageFolders>
                <add key="shared" value="{sharedCache}" />
              </fallbackPackageFolders>
              <packageSources>
                <add key="local" value="{Path.GetDirectoryName(packagePath)}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local"><package pattern="MLNet.Contrastive" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);

        var run = DotNetCli.Run(consumer, TimeSpan.FromMinutes(4), "run", "--disable-build-servers");
        Console.WriteLine($"consumer build and run took {run.Elapsed.TotalSeconds:0.0} s");
        Assert.AreEqual(0, run.ExitCode, $"the consumer failed: {run}");
        var line = Regex.Match(run.Output, @"Embedding: (.+)");
        Assert.IsTrue(line.Success, run.ToString());
        var vector = line.Groups[1].Value.Trim().Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();

        // The same options, seed and rows in this process, with the library the tests reference.
        var mlContext = new MLContext(seed: 1);
        var rows = Rows.Select(r => new Pair { Anchor = r.Anchor, Positive = r.Positive }).ToArray();
        var options = new ContrastiveEmbeddingOptions { EncoderKind = EncoderKind.Static, Width = 16, EmbeddingDimension = 16, BatchSize = 4, Epochs = 2, Seed = 3 };
        using var model = mlContext.Transforms.ContrastiveEmbedding(options).Fit(mlContext.Data.LoadFromEnumerable(rows));
        var expected = model.Transform(mlContext.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Embedding").First();

        // Same code, seed and data on the same machine: equal up to float32 rounding (1e-6 absolute is tens of ulps
        // at these magnitudes, ~1e-2); a package that loaded another library or skipped training would differ widely.
        Assert.HasCount(expected.Length, vector);
        var worst = expected.Zip(vector, (e, a) => Math.Abs(e - a)).Max();
        Assert.IsLessThanOrEqualTo(1e-6f, worst, $"package {string.Join(" ", vector)} vs in-process {string.Join(" ", expected)}");
        Assert.IsGreaterThan(0f, expected.Sum(v => v * v));
    }

    private static string Configuration() =>
        typeof(PackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private static string RepoRoot()
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
