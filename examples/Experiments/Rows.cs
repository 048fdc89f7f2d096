namespace MLNet.Contrastive.Experiments;

/// <summary>A training or validation row: anchor, positive, one negative (only read when the run asks for it) and a group key.</summary>
internal sealed class TrainingRow
{
    public string Anchor { get; set; } = string.Empty;

    public string Positive { get; set; } = string.Empty;

    public string Negative { get; set; } = string.Empty;

    public string Group { get; set; } = string.Empty;
}

/// <summary>A text to embed; the column has the anchor's name, which the fitted transformer embeds.</summary>
internal sealed class TextRow
{
    public string Anchor { get; set; } = string.Empty;
}
