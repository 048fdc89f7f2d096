using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Interop.HuggingFace;
using MLNet.Contrastive.Interop.Onnx;
using MLNet.Contrastive.Tests.Encoders;

namespace MLNet.Contrastive.Tests.Interop.HuggingFace;

/// <summary>A sentence-transformers folder (config.json, model.safetensors with I64 position ids, vocab.txt, modules.json, 1_Pooling, 2_Normalize) holding MiniLM's real weights.</summary>
[TestClass]
public sealed class HuggingFaceFolderTests
{
    [TestMethod]
    public void Create_SentenceTransformersFolder_EncodesLikeTheOnnxExport()
    {
        var directory = PretrainedResources.WriteFolder(PretrainedResources.MiniLM, poolingMode: "mean", normalize: true);
        try
        {
            var weights = OnnxBertReader.Read(new MemoryStream(PretrainedResources.Onnx(PretrainedResources.MiniLM)), "MiniLM");
            File.Delete(Path.Combine(directory, "model.onnx"));
            Directory.CreateDirectory(Path.Combine(directory, "2_Normalize"));
            SafetensorsTestWriter.Write(
                Path.Combine(directory, BertCheckpoint.WeightsFileName),
                weights.Tensors.Select(t => (t.Key, t.Value.Shape, t.Value.Values)),
                "F32",
                ("embeddings.position_ids", Enumerable.Range(0, 512).Select(i => (long)i).ToArray()));
            File.WriteAllText(Path.Combine(directory, BertCheckpoint.ConfigFileName), """
                {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": 30522, "hidden_size": 384, "num_hidden_layers": 6,
                 "num_attention_heads": 12, "intermediate_size": 1536, "max_position_embeddings": 512, "type_vocab_size": 2,
                 "layer_norm_eps": 1e-12, "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1}
                """);
            File.WriteAllText(Path.Combine(directory, "sentence_bert_config.json"), """{"max_seq_length": 256, "do_lower_case": true}""");

            using var folder = EmbeddingModel.CreatePretrained(directory, new PretrainedModelOptions { Device = DeviceKind.Cpu });
            using var onnx = EmbeddingModel.CreatePretrained(
                new MemoryStream(PretrainedResources.Onnx(PretrainedResources.MiniLM)), new MemoryStream(PretrainedResources.Vocabulary(PretrainedResources.MiniLM)),
                new PretrainedModelOptions { Pooling = PoolingMode.Mean, Normalize = true, MaxTokens = 256, Device = DeviceKind.Cpu });

            var options = ((TransformerEncoder)folder.Encoder).Shape;
            Assert.AreEqual((PoolingMode.Mean, true, 256, 384), (options.Pooling, options.Normalize, folder.Tokenizer.MaxTokens, folder.Dimension));

            // The same float32 weights and operations: identical vectors (the tolerance only guards the comparison).
            string[] texts = ["The quick brown fox jumps over the lazy dog.", "Une phrase en français, avec des accents : élève, où, garçon."];
            var expected = onnx.Encode(texts);
            var actual = folder.Encode(texts);
            for (var i = 0; i < texts.Length; i++)
            {
                Assert.IsLessThanOrEqualTo(1e-6f, TinyEncoders.MaxAbsDiff(expected[i], actual[i]));
                Assert.AreEqual(1.0, Math.Sqrt(actual[i].Sum(v => (double)v * v)), 1e-5, "2_Normalize: unit vectors");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
