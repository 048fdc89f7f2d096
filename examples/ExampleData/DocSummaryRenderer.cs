using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ExampleData;

/// <summary>Renders the content of an XML documentation element (a summary) as plain text.</summary>
/// <remarks><c>&lt;see cref="T:System.String"/&gt;</c> → <c>String</c>, <c>&lt;see cref="M:System.String.Trim"/&gt;</c> →
/// <c>String.Trim</c> (the element's own text wins when it has some), <c>&lt;see langword="null"/&gt;</c> → <c>null</c>,
/// <c>&lt;paramref name="x"/&gt;</c> and <c>&lt;typeparamref name="T"/&gt;</c> → the name, <c>&lt;xref uid="a.b.C"/&gt;</c> →
/// <c>C</c>; other elements contribute their text. Whitespace runs become one space.</remarks>
internal static partial class DocSummaryRenderer
{
    public static string Render(XElement element)
    {
        var text = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            Append(node, text);
        }

        return Whitespace().Replace(text.ToString(), " ").Trim();
    }

    private static void Append(XNode node, StringBuilder text)
    {
        switch (node)
        {
            case XText t:
                text.Append(t.Value);
                break;
            case XElement e when e.Name.LocalName is "see" or "seealso":
                if (!e.IsEmpty && e.Value.Trim().Length > 0)
                {
                    text.Append(e.Value.Trim());
                }
                else if (e.Attribute("cref") is { } cref)
                {
                    text.Append(RenderCref(cref.Value));
                }
                else if (e.Attribute("langword") is { } langword)
                {
                    text.Append(langword.Value);
                }
                else if (e.Attribute("href") is { } href)
                {
                    text.Append(href.Value);
                }

                break;
            case XElement e when e.Name.LocalName is "paramref" or "typeparamref":
                text.Append(e.Attribute("name")?.Value);
                break;
            case XElement e when e.Name.LocalName == "xref" && (e.IsEmpty || e.Value.Trim().Length == 0):
                string uid = e.Attribute("uid")?.Value ?? "";
                text.Append(uid[(uid.LastIndexOf('.') + 1)..]);
                break;
            case XElement e:
                if (e.Name.LocalName is "para" or "p" or "br" or "list" or "item")
                {
                    text.Append(' ');
                }

                foreach (var child in e.Nodes())
                {
                    Append(child, text);
                }

                text.Append(e.Name.LocalName is "para" or "p" or "item" ? " " : "");
                break;
        }
    }

    // "T:System.Collections.Generic.List`1" -> "List<T>"; "M:System.String.Format(System.String,System.Object)" -> "String.Format".
    internal static string RenderCref(string cref)
    {
        string id = cref.Length > 2 && cref[1] == ':' ? cref[2..] : cref;
        int paren = id.IndexOf('(', StringComparison.Ordinal);
        if (paren >= 0)
        {
            id = id[..paren];
        }

        var segments = id.Split('.');
        bool isType = cref.StartsWith("T:", StringComparison.Ordinal) || cref.StartsWith("!:", StringComparison.Ordinal);
        var shown = isType || segments.Length < 2 ? segments[^1..] : segments[^2..];
        return string.Join('.', shown.Select(s =>
        {
            var (name, arity) = DocTypeNameFormatter.SplitArity(s);
            string display = name == "#ctor" ? "constructor" : name;
            return arity == 0 ? display : $"{display}<{string.Join(", ", DocTypeNameFormatter.DefaultNames(arity))}>";
        }));
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
