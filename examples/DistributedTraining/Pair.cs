namespace DistributedTraining;

/// <summary>A training row: a member's documentation summary and its signature.</summary>
public sealed class Pair
{
    /// <summary>Gets or sets the query-like text.</summary>
    public string Anchor { get; set; } = string.Empty;

    /// <summary>Gets or sets the document-like text.</summary>
    public string Positive { get; set; } = string.Empty;
}
