using System.Globalization;

namespace ExampleData;

/// <summary>A sentence pair with a gold similarity score (STS-B: 0 to 5).</summary>
/// <param name="First">The first sentence.</param>
/// <param name="Second">The second sentence.</param>
/// <param name="Score">The gold score.</param>
public sealed record ScoredPair(string First, string Second, double Score);

/// <summary>Reads the STS benchmark's files (sts-train.csv, sts-dev.csv, sts-test.csv).</summary>
public static class StsBenchmarkReader
{
    /// <summary>
    /// Reads one STS-B file: tab-separated genre, file, year, id, score, sentence1, sentence2 (extra trailing columns
    /// ignored; no quoting).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The pairs, in file order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line has fewer than 7 fields or a 5th field that is not a number; the message names the file and the line.</exception>
    public static List<ScoredPair> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"STS-B file '{path}' does not exist.", path);
        }

        var pairs = new List<ScoredPair>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            var fields = line.Split('\t');
            if (fields.Length < 7 || !double.TryParse(fields[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var score))
            {
                throw new InvalidDataException(
                    $"{path}, line {number}: expected 7 or more tab-separated fields (genre, file, year, id, score, sentence1, sentence2) with a numeric score; got: {line}");
            }

            pairs.Add(new ScoredPair(fields[5].Trim(), fields[6].Trim(), score));
        }

        return pairs;
    }
}
