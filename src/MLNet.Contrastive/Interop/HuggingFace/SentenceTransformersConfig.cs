using System.Text.Json;
using MLNet.Contrastive.Encoders;

namespace MLNet.Contrastive.Interop.HuggingFace;

/// <summary>
/// What a sentence-transformers folder says about the model around the transformer: <c>modules.json</c>,
/// <c>1_Pooling/config.json</c> (pooling), a <c>Normalize</c> module (L2 normalisation) and
/// <c>sentence_bert_config.json</c> (max_seq_length, do_lower_case). Every value is null when the folder does not say.
/// </summary>
/// <param name="Pooling">The pooling, or null.</param>
/// <param name="Normalize">Whether embeddings are L2-normalised, or null.</param>
/// <param name="MaxSequenceLength">The truncation length in tokens, or null.</param>
/// <param name="LowerCase">Whether the tokenizer lower-cases, or null.</param>
internal sealed record SentenceTransformersConfig(PoolingMode? Pooling, bool? Normalize, int? MaxSequenceLength, bool? LowerCase)
{
    internal static readonly SentenceTransformersConfig Empty = new(null, null, null, null);

    /// <summary>Reads what <paramref name="directory"/> holds (nothing found: <see cref="Empty"/>).</summary>
    /// <exception cref="InvalidDataException">A file is not valid JSON (named).</exception>
    /// <exception cref="NotSupportedException">A module or pooling mode this library cannot reproduce (named with its file).</exception>
    internal static SentenceTransformersConfig Read(string directory)
    {
        PoolingMode? pooling = null;
        bool? normalize = null;
        var poolingDirectory = Path.Combine(directory, "1_Pooling");
        var modulesPath = Path.Combine(directory, "modules.json");
        if (File.Exists(modulesPath))
        {
            normalize = false;
            using var modules = Parse(modulesPath);
            foreach (var module in modules.RootElement.EnumerateArray())
            {
                var type = module.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
                var path = module.TryGetProperty("path", out var p) ? p.GetString() ?? "" : "";
                switch (type.Split('.').Last())
                {
                    case "Transformer":
                        break;
                    case "Pooling":
                        poolingDirectory = Path.Combine(directory, path);
                        break;
                    case "Normalize":
                        normalize = true;
                        break;
                    default:
                        throw new NotSupportedException(
                            $"'{modulesPath}': the module '{type}' (path '{path}') is not supported; supported are Transformer, Pooling and Normalize.");
                }
            }
        }
        else if (Directory.Exists(Path.Combine(directory, "2_Normalize")))
        {
            normalize = true;
        }

        var poolingPath = Path.Combine(poolingDirectory, "config.json");
        if (File.Exists(poolingPath))
        {
            pooling = ReadPooling(poolingPath);
        }

        int? maxLength = null;
        bool? lowerCase = null;
        var sentenceBertPath = Path.Combine(directory, "sentence_bert_config.json");
        if (File.Exists(sentenceBertPath))
        {
            using var config = Parse(sentenceBertPath);
            if (config.RootElement.TryGetProperty("max_seq_length", out var m) && m.TryGetInt32(out var length) && length > 0)
            {
                maxLength = length;
            }

            if (config.RootElement.TryGetProperty("do_lower_case", out var l) && l.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                lowerCase = l.GetBoolean();
            }
        }

        return new SentenceTransformersConfig(pooling, normalize, maxLength, lowerCase);
    }

    private static PoolingMode ReadPooling(string path)
    {
        using var config = Parse(path);
        var on = config.RootElement.EnumerateObject()
            .Where(p => p.Name.StartsWith("pooling_mode_", StringComparison.Ordinal) && p.Value.ValueKind == JsonValueKind.True)
            .Select(p => p.Name)
            .ToArray();
        return on switch
        {
            ["pooling_mode_mean_tokens"] => PoolingMode.Mean,
            ["pooling_mode_cls_token"] => PoolingMode.Cls,
            ["pooling_mode_max_tokens"] => PoolingMode.Max,
            [] => throw new NotSupportedException($"'{path}': no pooling_mode_* is true; expected one of pooling_mode_mean_tokens, pooling_mode_cls_token, pooling_mode_max_tokens."),
            _ => throw new NotSupportedException(
                $"'{path}': pooling [{string.Join(", ", on)}] is not supported; exactly one of pooling_mode_mean_tokens, pooling_mode_cls_token, pooling_mode_max_tokens may be true."),
        };
    }

    private static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
    }
}
