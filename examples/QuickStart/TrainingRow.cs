namespace QuickStart;

/// <summary>One training row as ML.NET sees it: anchor, positive, the anchor's group and up to three hard negatives.</summary>
/// <remarks>Negative columns beyond those every row has are dropped from the schema (see <see cref="QuickStartTraining"/>).</remarks>
public sealed class TrainingRow
{
    /// <summary>Gets or sets the anchor (query) text.</summary>
    public string Anchor { get; set; } = "";

    /// <summary>Gets or sets the positive (document) text.</summary>
    public string Positive { get; set; } = "";

    /// <summary>Gets or sets the group: rows with the same anchor text share it and are never negatives of each other.</summary>
    public int Group { get; set; }

    /// <summary>Gets or sets the first hard negative, or empty.</summary>
    public string Negative1 { get; set; } = "";

    /// <summary>Gets or sets the second hard negative, or empty.</summary>
    public string Negative2 { get; set; } = "";

    /// <summary>Gets or sets the third hard negative, or empty.</summary>
    public string Negative3 { get; set; } = "";

    /// <summary>The names of the negative columns, in order.</summary>
    public static readonly string[] NegativeColumns = [nameof(Negative1), nameof(Negative2), nameof(Negative3)];
}
