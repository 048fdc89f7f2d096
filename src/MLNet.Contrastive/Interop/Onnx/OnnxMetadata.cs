using System.Globalization;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Interop.HuggingFace;
using Onnx;

namespace MLNet.Contrastive.Interop.Onnx;

/// <summary>
/// The metadata this library writes into its ONNX exports (docs/onnx-export.md), and what its importer takes from them:
/// the model around the graph's token states (pooling, normalisation, length, tokenizer) and the layout of its Linear
/// weights. Only graphs whose producer is this library are read so; other graphs say nothing.
/// </summary>
internal static class OnnxMetadata
{
    /// <summary>The producer name of the exports.</summary>
    internal const string Producer = "MLNet.Contrastive";

    /// <summary>The key of the encoder's kind (<see cref="TextEncoder.KindName"/>).</summary>
    internal const string Encoder = "encoder";

    /// <summary>The key of the Linear weights' layout.</summary>
    internal const string LinearWeightLayout = "linear_weight_layout";

    /// <summary>The key of the size of the prefix the model gives (a Matryoshka model's <c>TruncatedDimension</c>).</summary>
    internal const string TruncatedDimension = "truncated_dimension";

    /// <summary>The layout the exporter writes: <c>[in, out]</c>, the transpose of PyTorch's <c>[out, in]</c>.</summary>
    internal const string InOut = "[in, out]";

    /// <summary>What an export of this library says, or nothing for another producer's graph.</summary>
    /// <param name="Settings">Pooling, normalisation, maximum length and lower-casing.</param>
    /// <param name="EncoderKind">The encoder's kind (<c>transformer</c>, <c>static</c>), or <see langword="null"/>.</param>
    /// <param name="Cl100kBase">Whether the tokenizer is the built-in cl100k_base (the export has no vocab.txt).</param>
    /// <param name="LinearLayoutInOut">Whether the Linear weights are declared <c>[in, out]</c>; <see langword="null"/> when not declared.</param>
    /// <param name="Truncated">The size of the prefix of the encoder's embeddings the model gives, or <see langword="null"/>.</param>
    internal sealed record Contents(SentenceTransformersConfig Settings, string? EncoderKind, bool Cl100kBase, bool? LinearLayoutInOut, int? Truncated = null);

    /// <summary>Reads the metadata of a model.</summary>
    /// <exception cref="InvalidDataException">A value of this library's keys is malformed, or the weight layout is unknown (named with the source).</exception>
    internal static Contents Read(ModelProto model, string source)
    {
        if (model.ProducerName != Producer)
        {
            return new Contents(SentenceTransformersConfig.Empty, null, Cl100kBase: false, LinearLayoutInOut: null);
        }

        var values = model.MetadataProps.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        string? Value(string key) => values.GetValueOrDefault(key);
        bool? Flag(string key) => Value(key) switch
        {
            null => null,
            "true" => true,
            "false" => false,
            var other => throw new InvalidDataException($"{source}: metadata '{key}' is '{other}'; expected true or false."),
        };

        PoolingMode? pooling = Value("pooling") switch
        {
            null => null,
            var name when Enum.TryParse<PoolingMode>(name, ignoreCase: true, out var mode) && Enum.IsDefined(mode) => mode,
            var other => throw new InvalidDataException($"{source}: metadata 'pooling' is '{other}'; expected mean, cls or max."),
        };
        int? Positive(string key) => Value(key) is { } text
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
                ? number
                : throw new InvalidDataException($"{source}: metadata '{key}' is '{text}'; expected a positive integer.")
            : null;
        var maxLength = Positive("max_length");
        bool? inOut = Value(LinearWeightLayout) switch
        {
            null => null,
            var layout when layout.StartsWith(InOut, StringComparison.Ordinal) => true,
            var layout when layout.StartsWith("[out, in]", StringComparison.Ordinal) => false,
            var other => throw new InvalidDataException($"{source}: metadata '{LinearWeightLayout}' is '{other}', a layout this library does not know; its weights are not loaded."),
        };
        var tokenizer = Value("tokenizer");
        return new Contents(
            new SentenceTransformersConfig(pooling, Flag("normalize"), maxLength, Flag("do_lower_case")),
            Value(Encoder),
            Cl100kBase: tokenizer is not null && tokenizer.Replace("_", string.Empty, StringComparison.Ordinal).Equals("cl100kbase", StringComparison.OrdinalIgnoreCase),
            inOut,
            Positive(TruncatedDimension));
    }
}
