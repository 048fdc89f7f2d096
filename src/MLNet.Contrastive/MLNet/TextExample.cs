namespace MLNet.Contrastive.MLNet;

/// <summary>One training example read from the data view: an anchor, its positive, hard negatives, an optional group.</summary>
/// <param name="Anchor">The anchor text.</param>
/// <param name="Positive">The text that should embed close to the anchor.</param>
/// <param name="Negatives">Texts that should embed far from the anchor (may be empty).</param>
/// <param name="GroupKey">Examples with the same key are not used as negatives of each other; null when none.</param>
internal sealed record TextExample(string Anchor, string Positive, string[] Negatives, string? GroupKey);
