using System.Globalization;
using System.Reflection;
using Google.Protobuf;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Text;
using Onnx;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Interop.Onnx;

/// <summary>
/// Writes an <see cref="EmbeddingModel"/> as a standard ONNX BERT graph (layout in docs/onnx-export.md): inputs
/// <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c> (int64 <c>[batch, sequence]</c>); outputs
/// <c>last_hidden_state</c> <c>[batch, sequence, width]</c> and <c>sentence_embedding</c> <c>[batch, dimension]</c>.
/// </summary>
internal static class OnnxEncoderExporter
{
    internal const string InputIds = "input_ids";
    internal const string AttentionMask = "attention_mask";
    internal const string TokenTypeIds = "token_type_ids";
    internal const string LastHiddenState = "last_hidden_state";
    internal const string SentenceEmbedding = "sentence_embedding";

    /// <summary>The ONNX opset (17: the first with LayerNormalization).</summary>
    internal const int Opset = 17;

    /// <summary>The ONNX IR version opset 17 needs.</summary>
    internal const long IrVersion = 8;

    // Protobuf messages are limited to 2 GB; the graph's structure adds little beside the tensors.
    private const long MaxDataBytes = 2_000_000_000;

    /// <summary>Builds the ONNX model of <paramref name="model"/> (weights copied to the CPU; the model is not changed).</summary>
    /// <exception cref="NotSupportedException">The encoder is of a type that cannot be exported, or the graph would exceed 2 GB.</exception>
    internal static ModelProto Build(EmbeddingModel model)
    {
        var b = new OnnxGraphBuilder();
        b.Graph.Input.Add(OnnxGraphBuilder.Value(InputIds, TensorProto.Types.DataType.Int64, "batch", "sequence"));
        b.Graph.Input.Add(OnnxGraphBuilder.Value(AttentionMask, TensorProto.Types.DataType.Int64, "batch", "sequence"));
        b.Graph.Input.Add(OnnxGraphBuilder.Value(TokenTypeIds, TensorProto.Types.DataType.Int64, "batch", "sequence"));
        var isPad = b.Node("Equal", [AttentionMask, b.Int64s([0], scalar: true)]);

        var encoder = model.Encoder.OnnxGraph ?? throw new NotSupportedException(
            $"ONNX export: encoders of type '{model.Encoder.GetType().FullName}' cannot be exported; TransformerEncoder and StaticEncoder can.");
        var weights = Weights(model.Encoder);
        Fold(weights, encoder.WordEmbeddings, model);
        var states = encoder.AddTokenStates(b, weights, isPad, LastHiddenState);
        var pooled = OnnxPoolingGraph.Pool(b, states, isPad, encoder.Pooling);
        if (model.TruncatedDimension is { } truncated)
        {
            // The first values of the (projected) embedding, normalised after the cut as EmbeddingModel.Truncate does.
            var whole = OnnxPoolingGraph.ProjectAndNormalize(b, pooled, weights, normalize: false, "embedding_whole");
            var prefix = b.Node("Slice", [whole, b.Int64s([0]), b.Int64s([truncated]), b.Int64s([1])]);
            OnnxPoolingGraph.Normalize(b, prefix, encoder.Normalize, SentenceEmbedding);
        }
        else
        {
            OnnxPoolingGraph.ProjectAndNormalize(b, pooled, weights, encoder.Normalize, SentenceEmbedding);
        }

        b.Graph.Output.Add(OnnxGraphBuilder.Value(LastHiddenState, TensorProto.Types.DataType.Float, "batch", "sequence", encoder.Width));
        b.Graph.Output.Add(OnnxGraphBuilder.Value(SentenceEmbedding, TensorProto.Types.DataType.Float, "batch", model.Dimension));
        if (b.DataBytes > MaxDataBytes)
        {
            throw new NotSupportedException(
                $"ONNX export: the weights take {b.DataBytes:N0} bytes, more than a single ONNX file holds (protobuf's 2 GB limit); external data is not supported.");
        }

        var result = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = OnnxMetadata.Producer,
            ProducerVersion = typeof(OnnxEncoderExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0",
            DocString = "Text encoder exported by MLNet.Contrastive: BERT-style inputs; last_hidden_state and the pooled sentence_embedding.",
            Graph = b.Graph,
        };
        result.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = Opset });
        foreach (var (key, value) in Metadata(model, encoder.Pooling, encoder.Normalize))
        {
            result.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return result;
    }

    /// <summary>Writes the ONNX model of <paramref name="model"/> to <paramref name="stream"/>.</summary>
    internal static void Write(EmbeddingModel model, Stream stream)
    {
        var proto = Build(model);
        using var output = new CodedOutputStream(stream, leaveOpen: true);
        proto.WriteTo(output);
        output.Flush();
    }

    /// <summary>What an importer needs to reproduce the model's embeddings from the graph's token states.</summary>
    private static IEnumerable<(string Key, string Value)> Metadata(EmbeddingModel model, PoolingMode pooling, bool normalize)
    {
        yield return (OnnxMetadata.Encoder, model.Encoder.KindName);
        yield return ("pooling", pooling.ToString().ToLowerInvariant());
        yield return ("normalize", normalize ? "true" : "false");
        yield return ("embedding_dimension", model.Dimension.ToString(CultureInfo.InvariantCulture));
        yield return ("max_length", model.Tokenizer.MaxTokens.ToString(CultureInfo.InvariantCulture));
        yield return ("tokenizer", model.Tokenizer.Kind.ToString().ToLowerInvariant());
        yield return ("do_lower_case", model.Tokenizer.LowerCase ? "true" : "false");
        if (model.TruncatedDimension is { } truncated)
        {
            yield return (OnnxMetadata.TruncatedDimension, truncated.ToString(CultureInfo.InvariantCulture));
        }

        yield return (OnnxMetadata.LinearWeightLayout, OnnxMetadata.InOut + ": each *.weight of a linear layer is the transpose of the PyTorch/Hugging Face [out, in] tensor, MatMul's B input");
    }

    /// <summary>Copies the encoder's tensors to float32 arrays on the CPU.</summary>
    private static Dictionary<string, TensorData> Weights(TextEncoder encoder)
    {
        using var noGrad = no_grad();
        var result = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (var (name, tensor) in encoder.state_dict())
        {
            using var cpu = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
            result.Add(name, new TensorData(cpu.shape.ToArray(), cpu.data<float>().ToArray()));
        }

        return result;
    }

    /// <summary>
    /// Folds the model's <see cref="VocabularyMap"/> into the word table: row <c>i</c> of the exported table is the
    /// encoder's row for tokenizer id <c>i</c> (the shared unseen row for ids the map lacks), so the graph takes the
    /// tokenizer's own ids.
    /// </summary>
    private static void Fold(Dictionary<string, TensorData> weights, string name, EmbeddingModel model)
    {
        if (model.VocabularyMap is not { } map)
        {
            return;
        }

        var table = OnnxGraphBuilder.Require(weights, name, 2);
        var (rows, width) = (model.Tokenizer.VocabularySize, (int)table.Shape[1]);
        var folded = new float[(long)rows * width];
        for (var id = 0; id < rows; id++)
        {
            var row = map.Map(id);
            if (row >= table.Shape[0])
            {
                throw new InvalidOperationException($"ONNX export: the vocabulary map sends token id {id} to row {row}, but '{name}' has {table.Shape[0]} rows.");
            }

            Array.Copy(table.Values, (long)row * width, folded, (long)id * width, width);
        }

        weights[name] = new TensorData([rows, width], folded);
    }
}
