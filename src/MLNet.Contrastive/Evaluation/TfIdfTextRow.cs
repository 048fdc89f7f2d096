namespace MLNet.Contrastive.Evaluation;

/// <summary>The one-column row type that <see cref="TfIdfBaseline"/> feeds to ML.NET.</summary>
internal sealed class TfIdfTextRow
{
    public string Text { get; set; } = "";
}
