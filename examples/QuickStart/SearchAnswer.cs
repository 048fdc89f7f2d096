namespace QuickStart;

/// <summary>The answer to one natural-language search: the best documents, best first, with their cosine similarity.</summary>
/// <param name="Query">The search text.</param>
/// <param name="Results">The documents found and their scores.</param>
public sealed record SearchAnswer(string Query, IReadOnlyList<(string Document, float Score)> Results);
