using System.Xml.Linq;

namespace ExampleData;

/// <summary>Reads .NET XML documentation files into <see cref="ApiMember"/>s: types, methods and properties that
/// have a real summary.</summary>
/// <remarks>A summary is kept when, rendered as text, it has at least <see cref="MinimumSummaryLength"/> characters
/// and is not a placeholder ("To be added.") or an infrastructure notice ("This API supports the product
/// infrastructure…", "This member supports the .NET Framework infrastructure…"). A documentation id met in several
/// files is kept once (first file in ordinal path order). Members are returned sorted by documentation id.</remarks>
public static class ApiDocsReader
{
    /// <summary>The shortest rendered summary kept, in characters.</summary>
    public const int MinimumSummaryLength = 12;

    private static readonly string[] Boilerplate =
    [
        "To be added",
        "This API supports the product infrastructure",
        "This member supports the .NET Framework infrastructure",
        "This type supports the .NET Framework infrastructure",
    ];

    /// <summary>Reads and filters the members of the given documentation files.</summary>
    /// <param name="xmlFiles">Paths of XML documentation files (<c>&lt;doc&gt;&lt;members&gt;&lt;member name="…"&gt;</c>).</param>
    /// <returns>The kept members, sorted by documentation id (ordinal).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="xmlFiles"/> or a path is null.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is not well-formed XML; the message names the file.</exception>
    public static IReadOnlyList<ApiMember> ReadMembers(IEnumerable<string> xmlFiles)
    {
        ArgumentNullException.ThrowIfNull(xmlFiles);
        var elements = new SortedDictionary<string, XElement>(StringComparer.Ordinal);
        foreach (string file in xmlFiles.Select(f => f ?? throw new ArgumentNullException(nameof(xmlFiles), "A file path is null."))
                     .Order(StringComparer.Ordinal))
        {
            foreach (var member in Load(file).Descendants("member"))
            {
                string? name = member.Attribute("name")?.Value;
                if (name is { Length: > 2 } && name[1] == ':')
                {
                    elements.TryAdd(name, member);
                }
            }
        }

        var typeParameterNames = elements
            .Where(e => e.Key.StartsWith("T:", StringComparison.Ordinal))
            .ToDictionary(e => e.Key[2..],
                e => ApiSignatureBuilder.TypeParameterNames(e.Value, DocTypeNameFormatter.SplitArity(e.Key[(e.Key.LastIndexOf('.') + 1)..]).Arity),
                StringComparer.Ordinal);
        var builder = new ApiSignatureBuilder(typeParameterNames);

        var members = new List<ApiMember>();
        foreach (var (docId, element) in elements)
        {
            ApiMemberKind? kind = docId[0] switch { 'T' => ApiMemberKind.Type, 'M' => ApiMemberKind.Method, 'P' => ApiMemberKind.Property, _ => null };
            if (kind is null || element.Element("summary") is not { } summaryElement)
            {
                continue;
            }

            string summary = DocSummaryRenderer.Render(summaryElement);
            if (summary.Length < MinimumSummaryLength || Boilerplate.Any(b => summary.StartsWith(b, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var (typeId, typeName, signature) = builder.Describe(kind.Value, docId, element);
            members.Add(new ApiMember(docId, kind.Value, typeId, typeName, signature, summary));
        }
        return members;
    }

    private static XDocument Load(string file)
    {
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"XML documentation file '{file}' does not exist.", file);
        }

        try
        {
            return XDocument.Load(file);
        }
        catch (System.Xml.XmlException e)
        {
            throw new InvalidDataException($"'{file}' is not well-formed XML documentation: {e.Message}", e);
        }
    }
}
