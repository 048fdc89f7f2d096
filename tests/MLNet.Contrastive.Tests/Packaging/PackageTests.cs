using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Tests.Notebooks;
using MLNet.Contrastive.Tests.Transforms;
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
        var version = typeof(TorchRuntime).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        var consumer = WriteConsumer("consumer", version, Path.GetDirectoryName(packagePath)!, ConsumerProgram);

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

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void ModelSavedByThisVersion_LoadsUnderTheNext_AndTheNextsLoadsHereUnlessItsFormatIsNewer()
    {
        // The next version: this package with the assembly version (and package version) raised, as an upgrade with
        // no change of model format ships. A model zip names the assembly that saved it; the next version must load it.
        var feed = Directory.CreateDirectory(Path.Combine(workDirectory, "next-feed")).FullName;
        var running = typeof(ContrastiveEmbeddingTransformer).Assembly.GetName().Version!;
        var next = new Version(running.Major, running.Minor + 1, 0, 0);
        var nextVersion = $"{next.Major}.{next.Minor}.0";
        RepackUnderVersion(packagePath, Path.Combine(feed, $"MLNet.Contrastive.{nextVersion}.nupkg"), nextVersion, next);

        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Rows.Select(r => new Pair { Anchor = r.Anchor, Positive = r.Positive }).ToArray());
        var options = new ContrastiveEmbeddingOptions { EncoderKind = EncoderKind.Static, Width = 16, EmbeddingDimension = 16, BatchSize = 4, Epochs = 1, Seed = 5 };
        using var model = mlContext.Transforms.ContrastiveEmbedding(options).Fit(data);
        var saved = Path.Combine(workDirectory, "saved-by-this-version.zip");
        mlContext.Model.Save(model, data.Schema, saved);
        var expected = model.Transform(data).GetColumn<float[]>("Embedding")
            .Select(v => string.Join(" ", v.Select(f => BitConverter.SingleToInt32Bits(f).ToString("x8", CultureInfo.InvariantCulture)))).ToArray();

        var savedByNext = Path.Combine(workDirectory, "saved-by-the-next-version.zip");
        var consumer = WriteConsumer("next-consumer", nextVersion, feed, VersionProgram);
        var run = DotNetCli.Run(consumer, TimeSpan.FromMinutes(4), "run", "--disable-build-servers", "--", saved, savedByNext);
        Assert.AreEqual(0, run.ExitCode, $"the next version's consumer failed: {run}");
        StringAssert.Contains(run.Output, $"Running MLNet.Contrastive {next}");
        var vectors = Regex.Matches(run.Output, "^Vector: (.+)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value.Trim()).ToArray();
        CollectionAssert.AreEqual(expected, vectors, "the next version embeds a model of this version bit-identically");

        // The other direction, in a fresh process of this version: a model of the next version in the same format loads
        // and embeds as the next version does; one in a format this version cannot read is refused naming both versions.
        var nextVectors = Regex.Matches(run.Output, "^NextVector: (.+)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value.Trim()).ToArray();
        Assert.HasCount(Rows.Length, nextVectors, run.Output);
        var texts = Path.Combine(workDirectory, "anchors.tsv");
        File.WriteAllLines(texts, Rows.Select(r => r.Anchor));
        var result = Path.Combine(workDirectory, "next-vectors.txt");
        var (exitCode, output) = PersistenceTests.TryLoadCheck("--library", savedByNext, texts, "Anchor", "Embedding", result);
        Assert.AreEqual(0, exitCode, output);
        CollectionAssert.AreEqual(nextVectors, File.ReadAllLines(result), "this version embeds the next version's model bit-identically");

        PersistenceTests.RewriteEntry(savedByNext, "Model.key", bytes =>
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(0x48, 4), 0x00020001U); // written and readable format versions
            BitConverter.TryWriteBytes(bytes.AsSpan(0x4C, 4), 0x00020001U);
            return bytes;
        });
        (exitCode, output) = PersistenceTests.TryLoadCheck("--library", savedByNext, texts, "Anchor", "Embedding", result);
        Assert.AreEqual(3, exitCode, output);
        StringAssert.Contains(output, $"saved by MLNet.Contrastive {next} in a format too new for this process's MLNet.Contrastive {running}");
        StringAssert.Contains(output, "format 0x00020001");
    }

    // Loads args[0] and prints each row's vector as float bits; then fits a small model and saves it to args[1].
    private const string VersionProgram = """
        using System.Globalization;
        using Microsoft.ML;
        using Microsoft.ML.Data;
        using MLNet.Contrastive.Encoders;
        using MLNet.Contrastive.Transforms;

        Console.WriteLine($"Running MLNet.Contrastive {typeof(ContrastiveEmbeddingTransformer).Assembly.GetName().Version}");
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Pair.Rows);
        var loaded = mlContext.Model.Load(args[0], out _);
        foreach (var vector in loaded.Transform(data).GetColumn<float[]>("Embedding"))
        {
            Console.WriteLine("Vector: " + string.Join(" ", vector.Select(f => BitConverter.SingleToInt32Bits(f).ToString("x8", CultureInfo.InvariantCulture))));
        }

        var options = new ContrastiveEmbeddingOptions { EncoderKind = EncoderKind.Static, Width = 8, EmbeddingDimension = 8, BatchSize = 4, Epochs = 1, Seed = 2 };
        var model = mlContext.Transforms.ContrastiveEmbedding(options).Fit(data);
        mlContext.Model.Save(model, data.Schema, args[1]);
        foreach (var vector in model.Transform(data).GetColumn<float[]>("Embedding"))
        {
            Console.WriteLine("NextVector: " + string.Join(" ", vector.Select(f => BitConverter.SingleToInt32Bits(f).ToString("x8", CultureInfo.InvariantCulture))));
        }
        """;

    // A console project outside the repository (no Directory.Build.* of ours applies: only the package's own targets)
    // that references MLNet.Contrastive `version` from `feed` and runs `program` with the test rows as Pair.Rows.
    private static string WriteConsumer(string name, string version, string feed, string program)
    {
        var consumer = Directory.CreateDirectory(Path.Combine(workDirectory, name)).FullName;
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
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), program + $$"""


            public sealed class Pair
            {
                public static readonly Pair[] Rows = { {{rowLiterals}} };

                public string Anchor { get; set; } = "";

                public string Positive { get; set; } = "";
            }

            """);

        // The local feed for MLNet.Contrastive, the default nuget.org key for the rest; a package cache of its own
        // (outside the project folder, or the SDK would compile the package's .cs files) so that the freshly packed
        // package never lands in the shared cache, which serves every other package as a fallback folder.
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
                <add key="local" value="{feed}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local"><package pattern="MLNet.Contrastive" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        return consumer;
    }

    // Copies the package with its assembly's version raised in the metadata's Assembly table (fixed-size fields, patched
    // in place: the library is not strong-named) and the nuspec's version changed.
    private static void RepackUnderVersion(string source, string target, string packageVersion, Version assemblyVersion)
    {
        File.Copy(source, target);
        using var archive = ZipFile.Open(target, ZipArchiveMode.Update);
        var dllEntry = archive.GetEntry("lib/net10.0/MLNet.Contrastive.dll")!;
        byte[] dll;
        using (var stream = dllEntry.Open())
        using (var memory = new MemoryStream())
        {
            stream.CopyTo(memory);
            dll = memory.ToArray();
        }

        using (var pe = new System.Reflection.PortableExecutable.PEReader(new MemoryStream(dll)))
        {
            var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
            // Assembly table row: HashAlgId (u32), then Major, Minor, Build, Revision (u16 each).
            var row = pe.PEHeaders.MetadataStartOffset + System.Reflection.Metadata.Ecma335.MetadataReaderExtensions.GetTableMetadataOffset(metadata, System.Reflection.Metadata.Ecma335.TableIndex.Assembly);
            var span = dll.AsSpan(row + 4, 8);
            Assert.AreEqual(typeof(ContrastiveEmbeddingTransformer).Assembly.GetName().Version!.Minor, BitConverter.ToUInt16(span[2..4]), "the row holds the packed version");
            BitConverter.TryWriteBytes(span[0..2], (ushort)assemblyVersion.Major);
            BitConverter.TryWriteBytes(span[2..4], (ushort)assemblyVersion.Minor);
            BitConverter.TryWriteBytes(span[4..6], (ushort)assemblyVersion.Build);
            BitConverter.TryWriteBytes(span[6..8], (ushort)assemblyVersion.Revision);
        }

        dllEntry.Delete();
        using (var stream = archive.CreateEntry("lib/net10.0/MLNet.Contrastive.dll").Open())
        {
            stream.Write(dll);
        }

        var nuspecEntry = archive.GetEntry("MLNet.Contrastive.nuspec")!;
        XDocument nuspec;
        using (var stream = nuspecEntry.Open())
        {
            nuspec = XDocument.Load(stream);
        }

        nuspec.Descendants().Single(e => e.Name.LocalName == "version").Value = packageVersion;
        nuspecEntry.Delete();
        using (var stream = archive.CreateEntry("MLNet.Contrastive.nuspec").Open())
        {
            nuspec.Save(stream);
        }
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
