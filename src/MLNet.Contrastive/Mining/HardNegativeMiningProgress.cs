namespace MLNet.Contrastive.Mining;

/// <summary>Progress of <c>mlContext.Data.MineHardNegatives</c>.</summary>
/// <param name="Stage"><c>"embedding"</c> (anchors and candidates) or <c>"searching"</c> (rows).</param>
/// <param name="Done">Texts embedded, or rows searched, so far.</param>
/// <param name="Total">Texts to embed, or rows to search.</param>
/// <param name="Elapsed">The time since mining started.</param>
public sealed record HardNegativeMiningProgress(string Stage, int Done, int Total, TimeSpan Elapsed);
