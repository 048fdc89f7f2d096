using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLNet.Contrastive.Transforms;

/// <summary>
/// What a trained model is: its starting point, tokenizer, shape, loss and training run. Saved with the model as its
/// own readable entry (<c>ModelCard.json</c>, see docs/persistence.md); never holds a path.
/// </summary>
/// <remarks>Available as <see cref="ContrastiveEmbeddingTransformer.ModelCard"/> on a fitted transformer and on one loaded
/// from a zip written by version 1.2 of the format or later; <see langword="null"/> for older zips.</remarks>
public sealed record ModelCard
{
    /// <summary>The words used for a model whose weights were initialised at random.</summary>
    public const string FromScratch = "from scratch";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Gets the starting point: <see cref="FromScratch"/>, or the pretrained checkpoint (its folder's name, never a path).</summary>
    public string BaseModel { get; init; } = FromScratch;

    /// <summary>Gets the encoder, e.g. <c>transformer, 2 layers, width 128, 4 heads</c> or <c>static, width 128</c>.</summary>
    public string Encoder { get; init; } = string.Empty;

    /// <summary>Gets the tokenizer, e.g. <c>cl100k_base, vocabulary compacted to 812 rows</c>.</summary>
    public string Tokenizer { get; init; } = string.Empty;

    /// <summary>Gets the most tokens per text; longer texts are truncated.</summary>
    public int MaxTokens { get; init; }

    /// <summary>Gets the size of the embeddings.</summary>
    public int Dimension { get; init; }

    /// <summary>Gets how token states become one vector, e.g. <c>mean</c> or <c>cls, L2-normalised</c>.</summary>
    public string Pooling { get; init; } = string.Empty;

    /// <summary>Gets the training loss and its temperature, e.g. <c>InfoNce, temperature 0.05 (fixed)</c>.</summary>
    public string Loss { get; init; } = string.Empty;

    /// <summary>Gets the contrastive batch: examples per optimizer step.</summary>
    public int BatchSize { get; init; }

    /// <summary>Gets the gradient-cache chunk: texts per forward/backward pass.</summary>
    public int ChunkSize { get; init; }

    /// <summary>Gets the number of passes over the training rows.</summary>
    public int Epochs { get; init; }

    /// <summary>Gets the number of optimizer steps.</summary>
    public int Steps { get; init; }

    /// <summary>Gets the number of training rows.</summary>
    public int TrainingRows { get; init; }

    /// <summary>Gets the last step's training loss, or <see langword="null"/> when no step was taken.</summary>
    public double? FinalLoss { get; init; }

    /// <summary>Gets the validation recall@1 after the last epoch, or <see langword="null"/> without validation data.</summary>
    public double? ValidationRecallAt1 { get; init; }

    /// <summary>Gets the version of MLNet.Contrastive that trained the model.</summary>
    public string LibraryVersion { get; init; } = string.Empty;

    /// <summary>Returns the card as a Markdown table (for a README or a model registry).</summary>
    /// <returns>Markdown text.</returns>
    public string ToMarkdown()
    {
        var text = new StringBuilder("| Property | Value |\n| -- | -- |\n");
        foreach (var (name, value) in Fields())
        {
            text.Append(CultureInfo.InvariantCulture, $"| {name} | {value.Replace("|", "\\|", StringComparison.Ordinal)} |\n");
        }

        return text.ToString();
    }

    /// <summary>Returns the card as aligned "name: value" lines.</summary>
    /// <returns>Plain text, one property per line.</returns>
    public override string ToString()
    {
        var fields = Fields();
        var width = fields.Max(f => f.Name.Length) + 1;
        return string.Join(Environment.NewLine, fields.Select(f => $"{(f.Name + ":").PadRight(width)} {f.Value}"));
    }

    /// <summary>The card as JSON (the zip entry).</summary>
    internal string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a card written by <see cref="ToJson"/>; unknown properties (from a newer library) are ignored.</summary>
    /// <exception cref="InvalidDataException">The text is not a JSON card.</exception>
    internal static ModelCard FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<ModelCard>(json, Json) ?? throw new InvalidDataException("The model card is empty (JSON null).");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The model card is not valid JSON: {e.Message}", e);
        }
    }

    private (string Name, string Value)[] Fields()
    {
        static string Number(double? value) => value is { } v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a";
        var invariant = CultureInfo.InvariantCulture;
        return
        [
            ("Base model", BaseModel),
            ("Encoder", Encoder),
            ("Tokenizer", Tokenizer),
            ("Max tokens", MaxTokens.ToString(invariant)),
            ("Dimension", Dimension.ToString(invariant)),
            ("Pooling", Pooling),
            ("Loss", Loss),
            ("Batch / chunk", string.Create(invariant, $"{BatchSize} / {ChunkSize}")),
            ("Epochs / steps", string.Create(invariant, $"{Epochs} / {Steps}")),
            ("Training rows", TrainingRows.ToString(invariant)),
            ("Final loss", Number(FinalLoss)),
            ("Validation recall@1", Number(ValidationRecallAt1)),
            ("Library version", LibraryVersion),
        ];
    }
}
