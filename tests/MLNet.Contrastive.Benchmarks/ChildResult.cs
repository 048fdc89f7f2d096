using System.Globalization;

namespace MLNet.Contrastive.Benchmarks;

/// <summary>The one line a child process prints for its parent: <c>key=value</c> pairs separated by <c>;</c>.</summary>
internal static class ChildResult
{
    public static void Print(params (string Key, double Value)[] values) =>
        Console.WriteLine(string.Join(';', values.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Key}={v.Value:R}"))));

    /// <summary>Runs a child and parses its line; on failure returns null and a one-line reason for the report.</summary>
    public static Dictionary<string, double>? TryRun(string[] arguments, out string failure, IReadOnlyDictionary<string, string?>? environment = null)
    {
        failure = string.Empty;
        try
        {
            return Parse(Measure.RunChild(arguments, environment));
        }
        catch (InvalidOperationException e)
        {
            failure = e.Message.Split('\n')[0];
            Console.Error.WriteLine(e.Message);
            return null;
        }
    }

    public static Dictionary<string, double> Parse(string line) =>
        line.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => double.Parse(kv[1], CultureInfo.InvariantCulture));
}
