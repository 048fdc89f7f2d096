using MLNet.Contrastive.Interop.HuggingFace;
using MLNet.Contrastive.Interop.Onnx;

namespace MLNet.Contrastive.Interop;

/// <summary>
/// Finds and reads a local pretrained BERT-family model (docs/pretrained.md): a Hugging Face or sentence-transformers
/// folder (config.json + model.safetensors + vocab.txt, optionally modules.json, 1_Pooling/, sentence_bert_config.json;
/// or model.onnx / onnx/model.onnx instead of the safetensors), or an ONNX file with vocab.txt beside it or in its parent folder.
/// </summary>
internal static class PretrainedModelReader
{
    /// <summary>The ONNX file name looked for in a pretrained folder (also under <c>onnx/</c>).</summary>
    internal const string OnnxFileName = "model.onnx";

    /// <summary>Reads the weights at <paramref name="path"/>, and finds its vocabulary and sentence-transformers configuration.</summary>
    /// <param name="path">A folder or an .onnx file.</param>
    /// <param name="vocabularyPath">A vocab.txt to use instead of the model's own, or <see langword="null"/>.</param>
    /// <returns>The weights, the vocabulary file (<see langword="null"/> for this library's export of a cl100k_base model,
    /// whose tokenizer is built in), and the sentence-transformers settings (empty when there are none).</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is a file but not an .onnx model.</exception>
    /// <exception cref="FileNotFoundException">The path, a weights file or the vocabulary is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed (named).</exception>
    /// <exception cref="NotSupportedException">The configuration is not supported.</exception>
    internal static (PretrainedWeights Weights, string? Vocabulary, SentenceTransformersConfig Config) Read(string path, string? vocabularyPath)
    {
        string root;
        PretrainedWeights weights;
        if (File.Exists(path))
        {
            if (!path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"The pretrained model '{path}' (PretrainedModelPath) is a file but not an .onnx model; give a model folder or an .onnx file.", "PretrainedModelPath");
            }

            weights = ReadOnnx(path);
            root = weights.Cl100kBase ? Path.GetDirectoryName(Path.GetFullPath(path))! : ModelRoot(path, vocabularyPath);
        }
        else if (Directory.Exists(path))
        {
            root = path;
            var onnx = new[] { Path.Combine(path, OnnxFileName), Path.Combine(path, "onnx", OnnxFileName) }.FirstOrDefault(File.Exists);
            weights = File.Exists(Path.Combine(path, BertCheckpoint.WeightsFileName)) || onnx is null
                ? BertCheckpoint.ReadWeights(path)
                : ReadOnnx(onnx);
        }
        else
        {
            throw new FileNotFoundException(
                $"The pretrained model '{path}' (PretrainedModelPath) is neither a folder nor a file: give a Hugging Face / sentence-transformers folder or an .onnx file.", path);
        }

        // This library's export of a cl100k_base model needs no vocab.txt: its tokenizer is built in.
        var vocabulary = vocabularyPath ?? (weights.Cl100kBase ? null : Path.Combine(root, BertCheckpoint.VocabularyFileName));
        return (weights, vocabulary, SentenceTransformersConfig.Read(root));
    }

    // The folder of an ONNX file's vocab.txt and sentence-transformers files: its own, or its parent (onnx/model.onnx).
    private static string ModelRoot(string onnxPath, string? vocabularyPath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(onnxPath))!;
        if (vocabularyPath is not null || File.Exists(Path.Combine(folder, BertCheckpoint.VocabularyFileName)))
        {
            return folder;
        }

        var parent = Path.GetDirectoryName(folder);
        return parent is not null && File.Exists(Path.Combine(parent, BertCheckpoint.VocabularyFileName))
            ? parent
            : throw new FileNotFoundException(
                $"No {BertCheckpoint.VocabularyFileName} beside the ONNX model '{onnxPath}' nor in its parent folder; put it there or set VocabularyPath.",
                Path.Combine(folder, BertCheckpoint.VocabularyFileName));
    }

    private static PretrainedWeights ReadOnnx(string path)
    {
        using var file = File.OpenRead(path);
        return OnnxBertReader.Read(file, $"'{path}'");
    }
}
