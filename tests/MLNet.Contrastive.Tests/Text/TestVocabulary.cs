namespace MLNet.Contrastive.Tests.Text;

/// <summary>A 20-token BERT vocabulary written by the tests; a token's id is its index here.</summary>
internal static class TestVocabulary
{
    internal static readonly string[] Tokens =
    [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat",
        "dog", "##s", "a", "big", "red", "run", "##ning", "hello", "world", ".",
    ];

    internal static int Id(string token) => Array.IndexOf(Tokens, token);

    internal static string WriteFile(IEnumerable<string>? lines = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"vocab-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(path, lines ?? Tokens);
        return path;
    }
}
