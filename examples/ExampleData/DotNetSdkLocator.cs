using System.Runtime.InteropServices;

namespace ExampleData;

/// <summary>
/// Finds the .NET installation and the API reference documentation (*.xml) shipped in its
/// <c>packs/Microsoft.NETCore.App.Ref/&lt;version&gt;/ref/&lt;tfm&gt;/</c> folder.
/// </summary>
/// <remarks>Candidate roots, in order: <c>DOTNET_ROOT</c>, the <c>dotnet</c> executable on <c>PATH</c> (symbolic
/// links resolved), the installation running this process, then common install folders. A root counts when it holds a
/// <c>packs/Microsoft.NETCore.App.Ref</c> folder (runtime-only installations have none).</remarks>
public static class DotNetSdkLocator
{
    private const string RefPack = "Microsoft.NETCore.App.Ref";

    /// <summary>Returns the candidate .NET roots that were considered, in search order, without duplicates.</summary>
    /// <returns>Existing directories; possibly empty.</returns>
    public static IReadOnlyList<string> CandidateRoots()
    {
        var candidates = new List<string?>
        {
            Environment.GetEnvironmentVariable("DOTNET_ROOT"),
            Environment.GetEnvironmentVariable(RuntimeInformation.ProcessArchitecture == Architecture.X64 ? "DOTNET_ROOT_X64" : "DOTNET_ROOT_ARM64"),
            RootOfDotnetOnPath(),
            RootOfRunningRuntime(),
            "/usr/share/dotnet", "/usr/lib/dotnet", "/usr/local/share/dotnet", "/opt/dotnet", "/usr/lib64/dotnet",
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet"),
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles), "dotnet"),
        };
        return candidates
            .Where(c => !string.IsNullOrWhiteSpace(c) && Directory.Exists(c))
            .Select(c => Path.GetFullPath(c!).TrimEnd(Path.DirectorySeparatorChar))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Finds the first candidate root that holds the reference pack.</summary>
    /// <returns>The .NET root folder.</returns>
    /// <exception cref="DirectoryNotFoundException">No candidate holds <c>packs/Microsoft.NETCore.App.Ref</c>; the
    /// message lists the folders searched and how to point at the documentation explicitly.</exception>
    public static string FindDotNetRoot()
    {
        var roots = CandidateRoots();
        return roots.FirstOrDefault(r => Directory.Exists(Path.Combine(r, "packs", RefPack)))
            ?? throw new DirectoryNotFoundException(
                $"No .NET SDK with a 'packs/{RefPack}' folder was found. Searched: " +
                (roots.Count == 0 ? "(no candidate folder exists)" : string.Join(", ", roots)) +
                ". Install the .NET SDK, set DOTNET_ROOT to its folder, or pass the folder that holds the *.xml " +
                "reference documentation explicitly (ApiDocsTaskOptions.XmlDocsFolder).");
    }

    /// <summary>Finds the folder of XML reference documentation of the newest reference pack and newest target framework.</summary>
    /// <param name="dotnetRoot">The .NET root to look in; found with <see cref="FindDotNetRoot"/> when null.</param>
    /// <returns>A folder such as <c>/usr/share/dotnet/packs/Microsoft.NETCore.App.Ref/10.0.0/ref/net10.0</c> holding *.xml files.</returns>
    /// <exception cref="DirectoryNotFoundException">No root, no pack version, or no target framework folder with *.xml
    /// files was found; the message says which part is missing and how to point at the folder.</exception>
    public static string FindReferenceDocsFolder(string? dotnetRoot = null)
    {
        string root = dotnetRoot ?? FindDotNetRoot();
        string packs = Path.Combine(root, "packs", RefPack);
        if (!Directory.Exists(packs))
        {
            throw Missing($"'{packs}' does not exist");
        }

        var versions = Directory.GetDirectories(packs).OrderByDescending(v => VersionKey(Path.GetFileName(v))).ToList();
        foreach (string version in versions)
        {
            string refFolder = Path.Combine(version, "ref");
            if (!Directory.Exists(refFolder))
            {
                continue;
            }

            var tfm = Directory.GetDirectories(refFolder)
                .Where(d => Directory.EnumerateFiles(d, "*.xml").Any())
                .OrderByDescending(d => VersionKey(Path.GetFileName(d).TrimStart('n', 'e', 't')))
                .FirstOrDefault();
            if (tfm is not null)
            {
                return tfm;
            }
        }
        throw Missing($"no '{packs}/<version>/ref/<tfm>' folder holds *.xml files (versions present: " +
            (versions.Count == 0 ? "none" : string.Join(", ", versions.Select(Path.GetFileName))) + ")");
    }

    private static DirectoryNotFoundException Missing(string what) =>
        new($"The .NET API reference documentation was not found: {what}. Install the .NET SDK (the runtime alone has " +
            "no reference packs), set DOTNET_ROOT, or pass the folder that holds the *.xml files explicitly " +
            "(ApiDocsTaskOptions.XmlDocsFolder).");

    // Orders "10.0.12" above "9.0.3" and a release above its previews ("10.0.0" > "10.0.0-rc.1").
    private static (Version Version, bool IsRelease, string Label) VersionKey(string name)
    {
        int dash = name.IndexOf('-', StringComparison.Ordinal);
        string core = dash < 0 ? name : name[..dash];
        return (Version.TryParse(core, out var v) ? v : new Version(0, 0), dash < 0, name);
    }

    private static string? RootOfDotnetOnPath()
    {
        string exe = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (string.IsNullOrWhiteSpace(dir))
            {
                continue;
            }

            var file = new FileInfo(Path.Combine(dir, exe));
            if (!file.Exists)
            {
                continue;
            }

            var target = file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
            return target.DirectoryName;
        }
        return null;
    }

    // The running runtime lives in <root>/shared/Microsoft.NETCore.App/<version>/.
    private static string? RootOfRunningRuntime()
    {
        string? runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location);
        return runtimeDir is null ? null : Directory.GetParent(runtimeDir)?.Parent?.Parent?.FullName;
    }
}
