namespace MLNet.Contrastive.Experiments;

/// <summary>Readers for the public files in the shared data folder (formats: ../shared/data/README.md).</summary>
internal static class DataFiles
{
    /// <summary>SNLI (one split): aligned premise, hypothesis and label lines.</summary>
    internal static List<(string Premise, string Hypothesis, string Label)> ReadSnli(string directory, string split)
    {
        var s1 = File.ReadAllLines(Path.Combine(directory, "s1." + split));
        var s2 = File.ReadAllLines(Path.Combine(directory, "s2." + split));
        var labels = File.ReadAllLines(Path.Combine(directory, "labels." + split));
        if (s1.Length != s2.Length || s1.Length != labels.Length)
        {
            throw new InvalidDataException($"SNLI {split}: {s1.Length} premises, {s2.Length} hypotheses, {labels.Length} labels; expected aligned files.");
        }

        return s1.Select((p, i) => (p.Trim(), s2[i].Trim(), labels[i].Trim())).ToList();
    }

    /// <summary>Quora: tab-separated with a header (index, id, sentence1, sentence2, is_duplicate); fields may be quoted with doubled quotes.</summary>
    internal static List<(string Question1, string Question2, bool Duplicate)> ReadQuora(string path)
    {
        var rows = new List<(string, string, bool)>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = SplitQuoted(line);
            if (f.Count != 5)
            {
                throw new InvalidDataException($"{path}: expected 5 fields, got {f.Count}: {line}");
            }

            rows.Add((f[2].Trim(), f[3].Trim(), f[4].Trim() is "1" or "1.0"));
        }

        return rows;
    }

    private static List<string> SplitQuoted(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') { quoted = false; }
                else { field.Append(c); }
            }
            else if (c == '"' && field.Length == 0) { quoted = true; }
            else if (c == '\t') { fields.Add(field.ToString()); field.Clear(); }
            else { field.Append(c); }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
