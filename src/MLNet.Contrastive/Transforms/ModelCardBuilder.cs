using System.Globalization;
using System.Reflection;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Text;

namespace MLNet.Contrastive.Transforms;

/// <summary>Builds the <see cref="ModelCard"/> of a model that <see cref="ContrastiveEmbeddingEstimator.Fit"/> trained.</summary>
internal static class ModelCardBuilder
{
    /// <summary>The library's version (informational version, with the commit when the build records it).</summary>
    internal static string LibraryVersion { get; } =
        typeof(ModelCard).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ModelCard).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    // The checkpoint's folder name, or for a file (an ONNX graph) its folder and file name: a name, never a whole path.
    private static string BaseModel(string? path)
    {
        if (path is null)
        {
            return ModelCard.FromScratch;
        }

        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string name = File.Exists(full) && Path.GetDirectoryName(full) is { } folder && Path.GetFileName(folder) is { Length: > 0 } folderName
            ? $"{folderName}/{Path.GetFileName(full)}"
            : Path.GetFileName(full);
        return $"BERT checkpoint '{name}'";
    }

    internal static ModelCard Create(ContrastiveEmbeddingOptions options, EmbeddingModel model, TrainingSummary summary)
    {
        var invariant = CultureInfo.InvariantCulture;
        var temperature = options.LearnableTemperature ? "learnable, initial value" : "fixed";
        return new ModelCard
        {
            BaseModel = BaseModel(options.PretrainedModelPath),
            Encoder = model.Encoder.Description,
            Tokenizer = Describe(model.Tokenizer, model.VocabularyMap),
            MaxTokens = model.Tokenizer.MaxTokens,
            Dimension = model.Dimension,
            Pooling = model.TruncatedDimension is { } truncated
                ? string.Create(invariant, $"{model.Encoder.PoolingDescription}; the first {truncated} of its {model.Encoder.Dimension} values{(model.Encoder.NormalizesOutput ? ", normalised again" : string.Empty)}")
                : model.Encoder.PoolingDescription,
            Loss = string.Create(invariant, $"{options.Loss}, temperature {options.Temperature} ({temperature})") + (options.MatryoshkaDimensions is { } levels
                ? string.Create(invariant, $", Matryoshka over dimensions {string.Join(", ", levels)}{(options.MatryoshkaWeights is { } w ? $" (weights {string.Join(", ", w)})" : string.Empty)}")
                : string.Empty),
            BatchSize = Math.Min(options.BatchSize, summary.Examples),
            ChunkSize = options.ChunkSize,
            Epochs = options.Epochs,
            Steps = summary.Steps,
            TrainingRows = summary.Examples,
            FinalLoss = summary.Losses.Count > 0 ? summary.Losses[^1] : null,
            ValidationRecallAt1 = summary.ValidationRecallAt1.Count > 0 ? summary.ValidationRecallAt1[^1] : null,
            LibraryVersion = LibraryVersion,
        };
    }

    private static string Describe(TextTokenizer tokenizer, VocabularyMap? map)
    {
        var name = tokenizer.Kind switch
        {
            TokenizerKind.Bert => string.Create(CultureInfo.InvariantCulture,
                $"BERT WordPiece ({tokenizer.VocabularySize} tokens{(tokenizer.LowerCase ? ", lower-cased" : string.Empty)})"),
            TokenizerKind.Cl100kBase => TextTokenizer.Cl100kBaseName,
            _ => "custom",
        };
        return map is null ? name : string.Create(CultureInfo.InvariantCulture, $"{name}, vocabulary compacted to {map.Count} rows");
    }
}
