using System.Text;
using MLNet.Contrastive.Interop.Onnx;

namespace MLNet.Contrastive.Encoders;

/// <summary>Export to ONNX (graph layout in docs/onnx-export.md).</summary>
public sealed partial class EmbeddingModel
{
    /// <summary>The file name of the vocabulary <see cref="ExportToOnnx(string)"/> writes beside a graph.</summary>
    public const string OnnxVocabularyFileName = "vocab.txt";

    /// <summary>
    /// Writes the model as an ONNX graph (opset 17) that ONNX Runtime runs: inputs <c>input_ids</c>,
    /// <c>attention_mask</c>, <c>token_type_ids</c> (int64 <c>[batch, sequence]</c>, the tokenizer's own ids: a
    /// <see cref="VocabularyMap"/> is folded into the embedding table); outputs <c>last_hidden_state</c>
    /// <c>[batch, sequence, width]</c> and <c>sentence_embedding</c> <c>[batch, <see cref="Dimension"/>]</c> (this
    /// model's pooling, projection and normalisation). With a BERT tokenizer its vocabulary is written beside the
    /// graph as <see cref="OnnxVocabularyFileName"/>. Nothing is left half-written: the files are written to
    /// temporary files first and moved into place only when complete.
    /// </summary>
    /// <param name="path">The .onnx file to write (replaced if it exists).</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or white space, or is named like the vocabulary file.</exception>
    /// <exception cref="NotSupportedException">The encoder cannot be exported (the message names its type), or its weights exceed 2 GB.</exception>
    /// <exception cref="DirectoryNotFoundException">The directory of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException">Writing failed, or <paramref name="path"/> is a directory.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be written.</exception>
    public void ExportToOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        if (Tokenizer.BertTokens is not null && string.Equals(Path.GetFileName(fullPath), OnnxVocabularyFileName, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{path}': the graph cannot be named {OnnxVocabularyFileName}, the vocabulary written beside it; use a .onnx name.", nameof(path));
        }

        // Build the graph before touching the disk: an encoder that cannot be exported leaves nothing behind.
        var graph = OnnxEncoderExporter.Build(this);
        var files = new List<(string, Action<Stream>)> { (fullPath, stream => Google.Protobuf.MessageExtensions.WriteTo(graph, stream)) };
        if (Tokenizer.BertTokens is { } tokens)
        {
            var vocabulary = Path.Combine(Path.GetDirectoryName(fullPath)!, OnnxVocabularyFileName);
            files.Insert(0, (vocabulary, stream =>
            {
                using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
                foreach (var token in tokens)
                {
                    writer.WriteLine(token);
                }
            }));
        }

        AtomicFiles.Write(files);
    }

    /// <summary>
    /// Writes the model as an ONNX graph to a stream (left open); see <see cref="ExportToOnnx(string)"/> for the
    /// graph. The vocabulary is not written.
    /// </summary>
    /// <param name="stream">The destination.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="NotSupportedException">The encoder cannot be exported (the message names its type), or its weights exceed 2 GB.</exception>
    /// <exception cref="IOException">Writing to the stream failed.</exception>
    public void ExportToOnnx(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        OnnxEncoderExporter.Write(this, stream);
    }
}
