namespace MLNet.Contrastive.Training;

/// <summary>Which side of a contrastive batch a text belongs to.</summary>
internal enum EncoderSide
{
    /// <summary>The queries (anchors).</summary>
    Query = 0,

    /// <summary>The documents (positives and hard negatives).</summary>
    Document = 1,
}
