using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Interop.HuggingFace;
using MLNet.Contrastive.Tests.Encoders;
using MLNet.Contrastive.Tests.Text;

namespace MLNet.Contrastive.Tests.Interop.HuggingFace;

/// <summary>Writes a tiny BERT checkpoint folder (config.json, model.safetensors, vocab.txt) of a freshly initialised encoder.</summary>
internal static class TinyBertFolder
{
    /// <summary>Writes the folder's files into <paramref name="directory"/>.</summary>
    /// <param name="directory">An existing folder.</param>
    /// <param name="shape">The encoder whose weights are written; <see cref="TinyEncoders.Transformer"/> by default.</param>
    /// <param name="config">What config.json declares; the shape's own by default.</param>
    /// <param name="prefix">A prefix of every tensor name (<c>bert.</c> as BertModel checkpoints have it), or none.</param>
    /// <param name="edit">Changes the tensors before they are written.</param>
    /// <param name="vocabulary">The vocab.txt lines; <see cref="TestVocabulary.Tokens"/> by default.</param>
    /// <returns>The weights written, by name (without the prefix).</returns>
    internal static Dictionary<string, float[]> Write(string directory, TransformerShape? shape = null, TransformerShape? config = null, string prefix = "",
        Action<List<(string Name, long[] Shape, float[] Values)>>? edit = null, IEnumerable<string>? vocabulary = null)
    {
        shape ??= TinyEncoders.Transformer();
        config ??= shape;
        Dictionary<string, float[]> written;
        using (var source = new TransformerEncoder(shape))
        {
            var tensors = source.state_dict().Select(p => (p.Key, p.Value.shape, p.Value.data<float>().ToArray())).ToList();
            written = tensors.ToDictionary(t => t.Key, t => t.Item3);
            edit?.Invoke(tensors);
            SafetensorsTestWriter.Write(Path.Combine(directory, BertCheckpoint.WeightsFileName), tensors.Select(t => (prefix + t.Key, t.shape, t.Item3)), "F32");
        }

        File.Move(TestVocabulary.WriteFile(vocabulary), Path.Combine(directory, BertCheckpoint.VocabularyFileName), overwrite: true);
        File.WriteAllText(Path.Combine(directory, BertCheckpoint.ConfigFileName), $$"""
            {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": {{config.VocabularySize}}, "hidden_size": {{config.HiddenSize}},
             "num_hidden_layers": {{config.LayerCount}}, "num_attention_heads": {{config.HeadCount}}, "intermediate_size": {{config.FeedForwardSize}},
             "max_position_embeddings": {{config.MaxLength}}, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu",
             "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1}
            """);
        return written;
    }
}
