namespace ExampleData;

/// <summary>Reads users' own training pairs from a tab-separated file: <c>anchor&lt;TAB&gt;positive[&lt;TAB&gt;negative…]</c>.</summary>
/// <remarks>UTF-8 text, one example per line; blank lines are skipped. The first line is a header when
/// <c>hasHeader</c> is true, or, when it is null, when its first field is <c>anchor</c> (case-insensitive). Rows with
/// the same anchor text get the same <see cref="ContrastivePair.Group"/>, numbered in order of first appearance, so a
/// loss can avoid treating their positives as negatives of each other. Fields are not quoted or unescaped.</remarks>
public static class TsvPairsReader
{
    /// <summary>Reads every example of a TSV file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="hasHeader">Whether the first line is a header; null to detect it (first field "anchor").</param>
    /// <returns>The examples, in file order.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or white space.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A row has fewer than two fields or an empty field; the message gives the
    /// file and the 1-based line number.</exception>
    public static IReadOnlyList<ContrastivePair> Read(string path, bool? hasHeader = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The TSV pairs file '{path}' does not exist.", path);
        }

        var pairs = new List<ContrastivePair>();
        var groups = new Dictionary<string, int>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string rawLine in File.ReadLines(path))
        {
            lineNumber++;
            string line = rawLine.TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }

            string[] fields = line.Split('\t');
            if (lineNumber == 1 && (hasHeader ?? fields[0].Trim().Equals("anchor", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            if (fields.Length < 2)
            {
                throw Malformed(path, lineNumber, $"expected at least 2 tab-separated fields (anchor, positive), found {fields.Length}");
            }

            for (int f = 0; f < fields.Length; f++)
            {
                if (fields[f].Trim().Length == 0)
                {
                    throw Malformed(path, lineNumber, $"field {f + 1} ({FieldName(f)}) is empty");
                }
            }
            if (!groups.TryGetValue(fields[0], out int group))
            {
                groups.Add(fields[0], group = groups.Count);
            }

            pairs.Add(new ContrastivePair(fields[0], fields[1], fields[2..], group));
        }
        return pairs;
    }

    private static string FieldName(int index) => index switch { 0 => "anchor", 1 => "positive", _ => "negative" };

    private static InvalidDataException Malformed(string path, int line, string what) =>
        new($"{path}({line}): malformed row: {what}. Expected anchor<TAB>positive[<TAB>negative...].");
}
