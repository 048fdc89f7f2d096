namespace ExampleData;

/// <summary>One training example for contrastive learning: an anchor, its positive, optional hard negatives and a group.</summary>
/// <param name="Anchor">The anchor text (for the API-docs task: the summary, i.e. the query).</param>
/// <param name="Positive">The text that matches the anchor (for the API-docs task: the member's signature).</param>
/// <param name="Negatives">Hard negative texts for the anchor; empty when there are none.</param>
/// <param name="Group">Examples with the same group share an identical anchor, so each one's positive is also correct
/// for the others: a loss should not treat them as negatives of each other (false-negative masking).</param>
public sealed record ContrastivePair(string Anchor, string Positive, IReadOnlyList<string> Negatives, int Group);
