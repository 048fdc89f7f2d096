using System.Text;

namespace ExampleData;

/// <summary>
/// Turns type references of XML documentation ids into C#-like text: <c>System.Int32</c> → <c>int</c>,
/// <c>System.Collections.Generic.IEnumerable{`0}</c> → <c>IEnumerable&lt;T&gt;</c>, <c>System.Int32[0:,0:]</c> → <c>int[,]</c>,
/// <c>System.String@</c> → <c>ref string</c>, <c>System.Nullable{System.Int32}</c> → <c>int?</c>.
/// </summary>
internal sealed class DocTypeNameFormatter
{
    private static readonly Dictionary<string, string> Keywords = new(StringComparer.Ordinal)
    {
        ["System.Boolean"] = "bool", ["System.Byte"] = "byte", ["System.SByte"] = "sbyte", ["System.Char"] = "char",
        ["System.Int16"] = "short", ["System.UInt16"] = "ushort", ["System.Int32"] = "int", ["System.UInt32"] = "uint",
        ["System.Int64"] = "long", ["System.UInt64"] = "ulong", ["System.IntPtr"] = "nint", ["System.UIntPtr"] = "nuint",
        ["System.Single"] = "float", ["System.Double"] = "double", ["System.Decimal"] = "decimal",
        ["System.String"] = "string", ["System.Object"] = "object", ["System.Void"] = "void",
    };

    private readonly IReadOnlyList<string> typeParameters;
    private readonly IReadOnlyList<string> methodParameters;

    /// <param name="typeParameters">Names for `0, `1, … (the declaring type's generic parameters, outer types first).</param>
    /// <param name="methodParameters">Names for ``0, ``1, … (the method's generic parameters).</param>
    public DocTypeNameFormatter(IReadOnlyList<string> typeParameters, IReadOnlyList<string> methodParameters)
    {
        this.typeParameters = typeParameters;
        this.methodParameters = methodParameters;
    }

    /// <summary>Formats a comma-separated parameter list (without its parentheses) into one string per parameter.</summary>
    public List<string> FormatList(string parameters)
    {
        var result = new List<string>();
        int pos = 0;
        while (pos < parameters.Length)
        {
            result.Add(FormatOne(parameters, ref pos));
            if (pos < parameters.Length && parameters[pos] == ',')
            {
                pos++;
            }
            else if (pos < parameters.Length)
            {
                // Something this parser does not understand (function pointers, modifiers): keep the rest verbatim.
                result[^1] += parameters[pos..];
                break;
            }
        }
        return result;
    }

    private string FormatOne(string s, ref int pos)
    {
        string name;
        if (pos < s.Length && s[pos] == '`')
        {
            bool method = pos + 1 < s.Length && s[pos + 1] == '`';
            pos += method ? 2 : 1;
            int start = pos;
            while (pos < s.Length && char.IsDigit(s[pos]))
            {
                pos++;
            }

            int index = int.Parse(s.AsSpan(start, pos - start), provider: null);
            var names = method ? methodParameters : typeParameters;
            name = index < names.Count ? names[index] : (method ? "TMethod" : "T") + index;
        }
        else
        {
            name = ReadQualifiedName(s, ref pos);
        }

        bool byRef = false;
        var suffix = new StringBuilder();
        while (pos < s.Length)
        {
            char c = s[pos];
            if (c == '[')
            {
                int close = s.IndexOf(']', pos);
                close = close < 0 ? s.Length - 1 : close;
                int rank = s.AsSpan(pos, close - pos).Count(',') + 1;
                suffix.Append('[').Append(',', rank - 1).Append(']');
                pos = close + 1;
            }
            else if (c == '*')
            {
                suffix.Append('*');
                pos++;
            }
            else if (c == '@')
            {
                byRef = true;
                pos++;
            }
            else
            {
                break;
            }
        }
        return (byRef ? "ref " : "") + name + suffix;
    }

    private string ReadQualifiedName(string s, ref int pos)
    {
        var display = new StringBuilder();
        while (true)
        {
            int start = pos;
            while (pos < s.Length && s[pos] is not ('{' or '}' or ',' or '[' or ']' or '@' or '*' or '(' or ')'))
            {
                pos++;
            }

            string qualified = s[start..pos];
            if (pos < s.Length && s[pos] == '{')
            {
                pos++;
                var arguments = new List<string>();
                while (pos < s.Length && s[pos] != '}')
                {
                    arguments.Add(FormatOne(s, ref pos));
                    if (pos < s.Length && s[pos] == ',')
                    {
                        pos++;
                    }
                }
                pos++; // '}'
                if (qualified == "System.Nullable" && arguments.Count == 1 && display.Length == 0)
                {
                    display.Append(arguments[0]).Append('?');
                }
                else
                {
                    display.Append(ShortName(qualified, display.Length > 0)).Append('<').AppendJoin(", ", arguments).Append('>');
                }

                if (pos < s.Length && s[pos] == '.')
                {
                    display.Append('.'); // a type nested in a generic type: Outer{T}.Inner
                    pos++;
                    continue;
                }
                return display.ToString();
            }
            display.Append(Keywords.TryGetValue(qualified, out var keyword) ? keyword : ShortName(qualified, display.Length > 0));
            return display.ToString();
        }
    }

    private static string ShortName(string qualified, bool alreadyNested) =>
        alreadyNested ? qualified : qualified[(qualified.LastIndexOf('.') + 1)..];

    /// <summary>Removes a generic arity suffix: <c>List`1</c> → (<c>List</c>, 1).</summary>
    public static (string Name, int Arity) SplitArity(string name)
    {
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? (name, 0) : (name[..tick], int.TryParse(name.AsSpan(tick + 1).TrimStart('`'), out int n) ? n : 0);
    }

    /// <summary>Default names of generic parameters when the documentation gives none: T, or T1 … Tn.</summary>
    public static IReadOnlyList<string> DefaultNames(int arity, string stem = "T") =>
        arity == 1 ? [stem] : Enumerable.Range(1, arity).Select(i => stem + i).ToArray();
}
