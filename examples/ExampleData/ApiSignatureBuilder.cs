using System.Xml.Linq;

namespace ExampleData;

/// <summary>Writes documentation ids as readable signatures, for example
/// <c>M:System.Collections.Generic.List`1.Insert(System.Int32,`0)</c> →
/// <c>List&lt;T&gt;.Insert(int index, T item) — method of System.Collections.Generic.List&lt;T&gt;</c>.</summary>
internal sealed class ApiSignatureBuilder
{
    private static readonly Dictionary<string, string> Operators = new(StringComparer.Ordinal)
    {
        ["op_Addition"] = "+", ["op_Subtraction"] = "-", ["op_Multiply"] = "*", ["op_Division"] = "/", ["op_Modulus"] = "%",
        ["op_Equality"] = "==", ["op_Inequality"] = "!=", ["op_LessThan"] = "<", ["op_GreaterThan"] = ">",
        ["op_LessThanOrEqual"] = "<=", ["op_GreaterThanOrEqual"] = ">=", ["op_UnaryNegation"] = "-", ["op_UnaryPlus"] = "+",
        ["op_LogicalNot"] = "!", ["op_OnesComplement"] = "~", ["op_BitwiseAnd"] = "&", ["op_BitwiseOr"] = "|",
        ["op_ExclusiveOr"] = "^", ["op_LeftShift"] = "<<", ["op_RightShift"] = ">>", ["op_UnsignedRightShift"] = ">>>",
        ["op_Increment"] = "++", ["op_Decrement"] = "--", ["op_True"] = "true", ["op_False"] = "false",
    };

    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> typeParameterNames;

    /// <param name="typeParameterNames">For each documented type id (without <c>T:</c>), its own generic parameter names.</param>
    public ApiSignatureBuilder(IReadOnlyDictionary<string, IReadOnlyList<string>> typeParameterNames) =>
        this.typeParameterNames = typeParameterNames;

    /// <summary>Describes a member given its documentation id (with prefix) and its XML element.</summary>
    public (string DeclaringTypeId, string DeclaringType, string Signature) Describe(ApiMemberKind kind, string docId, XElement member)
    {
        string id = docId[2..];
        if (kind == ApiMemberKind.Type)
        {
            var type = DescribeType(id);
            string where = type.Namespace.Length == 0 ? "type" : $"type in {type.Namespace}";
            return (id, type.FullName, $"{type.ShortName} — {where}");
        }

        int paren = id.IndexOf('(', StringComparison.Ordinal);
        string head = paren < 0 ? id : id[..paren];
        int close = paren < 0 ? -1 : id.LastIndexOf(')');
        string parameterText = paren < 0 ? "" : id[(paren + 1)..Math.Max(paren + 1, close)];
        int tilde = id.LastIndexOf('~');
        string returnText = tilde > close ? id[(tilde + 1)..] : "";
        int dot = head.LastIndexOf('.');
        string typeId = head[..dot];
        var declaring = DescribeType(typeId);
        var (memberName, arity) = DocTypeNameFormatter.SplitArity(head[(dot + 1)..]);
        var methodParameters = TypeParameterNames(member, arity);
        var formatter = new DocTypeNameFormatter(declaring.TypeParameters, methodParameters);
        string parameters = FormatParameters(formatter, parameterText, member);
        string genericSuffix = arity == 0 ? "" : $"<{string.Join(", ", methodParameters)}>";
        memberName = ExplicitInterfaceName(memberName);

        string signature;
        if (kind == ApiMemberKind.Property)
        {
            signature = parameterText.Length == 0
                ? $"{declaring.ShortName}.{memberName} — property of {declaring.FullName}"
                : memberName == "Item"
                    ? $"{declaring.ShortName}[{parameters}] — indexer of {declaring.FullName}"
                    : $"{declaring.ShortName}.{memberName}[{parameters}] — property of {declaring.FullName}";
        }
        else if (memberName == "#ctor")
        {
            signature = $"{declaring.ShortName}({parameters}) — constructor of {declaring.FullName}";
        }
        else if (memberName == "#cctor")
        {
            signature = $"static {declaring.ShortName}() — static constructor of {declaring.FullName}";
        }
        else if (memberName is "op_Implicit" or "op_Explicit" && returnText.Length > 0)
        {
            string target = formatter.FormatList(returnText)[0];
            string how = memberName == "op_Implicit" ? "implicit" : "explicit";
            signature = $"{how} operator {target}({parameters}) — conversion of {declaring.FullName}";
        }
        else if (Operators.TryGetValue(memberName, out string? symbol))
        {
            signature = $"operator {symbol}({parameters}) — operator of {declaring.FullName}";
        }
        else
        {
            signature = $"{declaring.ShortName}.{memberName}{genericSuffix}({parameters}) — method of {declaring.FullName}";
        }
        return (typeId, declaring.FullName, signature);
    }

    /// <summary>Splits a type id into namespace and (possibly nested) type, with generic parameter names filled in.</summary>
    public (string Namespace, string ShortName, string FullName, IReadOnlyList<string> TypeParameters) DescribeType(string typeId)
    {
        var segments = typeId.Split('.');
        // The outermost type is the shortest prefix that is a documented type; the namespace is what precedes it.
        int firstType = segments.Length - 1;
        for (int i = 0; i < segments.Length; i++)
        {
            if (typeParameterNames.ContainsKey(string.Join('.', segments[..(i + 1)])))
            {
                firstType = i;
                break;
            }
        }
        var names = new List<string>();
        var parts = new List<string>();
        for (int i = firstType; i < segments.Length; i++)
        {
            var (name, arity) = DocTypeNameFormatter.SplitArity(segments[i]);
            if (arity == 0)
            {
                parts.Add(name);
                continue;
            }
            string prefix = string.Join('.', segments[..(i + 1)]);
            var own = typeParameterNames.TryGetValue(prefix, out var documented) && documented.Count == arity
                ? documented
                : DocTypeNameFormatter.DefaultNames(arity);
            names.AddRange(own);
            parts.Add($"{name}<{string.Join(", ", own)}>");
        }
        string ns = string.Join('.', segments[..firstType]);
        string shortName = string.Join('.', parts);
        return (ns, shortName, ns.Length == 0 ? shortName : $"{ns}.{shortName}", names);
    }

    /// <summary>The generic parameter names documented on an element (<c>&lt;typeparam name="…"&gt;</c>), or defaults.</summary>
    public static IReadOnlyList<string> TypeParameterNames(XElement member, int arity, string fallbackStem = "T")
    {
        if (arity == 0)
        {
            return [];
        }

        var documented = member.Elements("typeparam").Select(e => e.Attribute("name")?.Value ?? "").ToList();
        return documented.Count == arity && documented.All(n => n.Length > 0)
            ? documented
            : DocTypeNameFormatter.DefaultNames(arity, fallbackStem);
    }

    // "System#Collections#Generic#IDictionary{TKey@TValue}#Add" -> "IDictionary<TKey, TValue>.Add".
    private static string ExplicitInterfaceName(string name)
    {
        int hash = name.LastIndexOf('#');
        if (hash <= 0 || name.StartsWith('#'))
        {
            return name;
        }

        string interfaceId = name[..hash].Replace('#', '.').Replace('@', ',');
        string shown = string.Join(", ", new DocTypeNameFormatter([], []).FormatList(interfaceId));
        return $"{shown}.{name[(hash + 1)..]}";
    }

    private static string FormatParameters(DocTypeNameFormatter formatter, string parameterText, XElement member)
    {
        if (parameterText.Length == 0)
        {
            return "";
        }

        var types = formatter.FormatList(parameterText);
        var names = member.Elements("param").Select(e => e.Attribute("name")?.Value ?? "").ToList();
        return names.Count == types.Count && names.All(n => n.Length > 0)
            ? string.Join(", ", types.Zip(names, (t, n) => $"{t} {n}"))
            : string.Join(", ", types);
    }
}
