using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MLNet.Contrastive.Tests.Notebooks;

/// <summary>
/// Turns a C# Polyglot notebook (.ipynb) into a .NET 10 file-based program, so that a test can run the notebook's
/// code with <c>dotnet run &lt;file&gt;.cs</c>.
/// </summary>
/// <remarks>
/// A notebook is a sequence of script submissions; a file-based program is one compilation unit with top-level
/// statements, which C# requires to come after the using directives and before any type declaration. So:
/// <list type="bullet">
/// <item>kernel directives are dropped: <c>#r</c> of this library (the program gets <c>#:project</c> instead),
/// <c>#i</c> (package sources) and <c>#!</c> magic commands; any other <c>#r "nuget: Name, Version"</c> becomes
/// <c>#:package Name@Version</c>;</item>
/// <item>using directives from every cell are hoisted to the top (deduplicated);</item>
/// <item>a cell whose first code line declares a type (class, record, struct, enum, interface) is a declaration cell
/// and moves to the end; every other cell keeps its order as top-level statements;</item>
/// <item><c>display(x)</c>, if used, becomes a local function that writes <c>x</c> to the console, and
/// <c>HTML(text)</c> the text itself, so an HTML picture is printed as its markup.</item>
/// </list>
/// </remarks>
internal static partial class NotebookProgram
{
    private const string LibraryPackageId = "MLNet.Contrastive";

    [GeneratedRegex(@"^using\s+(static\s+)?[A-Za-z_][\w.]*\s*;\s*$")]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"^(public\s+|internal\s+|file\s+)?((sealed|static|abstract|partial|readonly)\s+)*(class|record|struct|enum|interface)\s")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"\bdisplay\s*\(")]
    private static partial Regex DisplayCall();

    [GeneratedRegex(@"\bHTML\s*\(")]
    private static partial Regex HtmlCall();

    [GeneratedRegex(@"^#r\s+""nuget:\s*([\w.]+)\s*,\s*([^""\s]+)\s*""\s*$")]
    private static partial Regex NuGetReference();

    /// <summary>The sources of the notebook's code cells, in order.</summary>
    internal static IReadOnlyList<string> CodeCells(string notebookJson)
    {
        using var document = JsonDocument.Parse(notebookJson);
        var cells = new List<string>();
        foreach (var cell in document.RootElement.GetProperty("cells").EnumerateArray())
        {
            if (cell.GetProperty("cell_type").GetString() != "code")
            {
                continue;
            }

            var source = cell.GetProperty("source");
            cells.Add(source.ValueKind == JsonValueKind.Array
                ? string.Concat(source.EnumerateArray().Select(line => line.GetString()))
                : source.GetString() ?? string.Empty);
        }

        return cells;
    }

    /// <summary>The file-based program: <paramref name="directives"/> (<c>#:</c> lines) first, then the notebook's code.</summary>
    internal static string ToFileBasedProgram(string notebookJson, IEnumerable<string> directives)
    {
        var usings = new List<string>();
        var packages = new List<string>();
        var statements = new StringBuilder();
        var declarations = new StringBuilder();
        foreach (var cell in CodeCells(notebookJson))
        {
            var body = new List<string>();
            foreach (var line in cell.Replace("\r\n", "\n").Split('\n'))
            {
                var trimmed = line.TrimStart();
                var package = NuGetReference().Match(trimmed.TrimEnd());
                if (package.Success && package.Groups[1].Value != LibraryPackageId)
                {
                    packages.Add($"#:package {package.Groups[1].Value}@{package.Groups[2].Value}");
                    continue;
                }

                if (trimmed.StartsWith("#r ", StringComparison.Ordinal) || trimmed.StartsWith("#i ", StringComparison.Ordinal) ||
                    trimmed.StartsWith("#!", StringComparison.Ordinal))
                {
                    continue;
                }

                if (UsingDirective().IsMatch(trimmed))
                {
                    if (!usings.Contains(trimmed))
                    {
                        usings.Add(trimmed);
                    }

                    continue;
                }

                body.Add(line);
            }

            var firstCode = body.Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal) && !l.StartsWith('['));
            var target = firstCode is not null && TypeDeclaration().IsMatch(firstCode) ? declarations : statements;
            target.AppendJoin('\n', body).Append('\n');
        }

        var program = new StringBuilder();
        foreach (var directive in directives.Concat(packages))
        {
            program.Append(directive).Append('\n');
        }

        program.Append('\n').AppendJoin('\n', usings).Append("\n\n").Append(statements);
        if (DisplayCall().IsMatch(statements.ToString()))
        {
            program.Append("\nstatic void display(object? value) => Console.WriteLine(value);\n");
        }

        if (HtmlCall().IsMatch(statements.ToString()))
        {
            program.Append("\nstatic string HTML(string html) => html;\n");
        }

        return program.Append('\n').Append(declarations).ToString();
    }
}
