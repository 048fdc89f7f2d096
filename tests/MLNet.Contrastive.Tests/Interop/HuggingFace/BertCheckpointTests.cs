using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Interop.HuggingFace;
using MLNet.Contrastive.Tests.Encoders;
using MLNet.Contrastive.Tests.Text;
using MLNet.Contrastive.Text;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Interop.HuggingFace;

[TestClass]
public sealed class BertCheckpointTests
{
    private static readonly int[][] Texts = [[2, 5, 6, 7, 3], [2, 10, 11, 19, 3, 0]];

    [TestMethod]
    public void StateDict_UsesHuggingFaceBertNames()
    {
        using var encoder = new TransformerEncoder(TinyEncoders.Transformer());
        var names = encoder.state_dict().Keys.ToHashSet();
        string[] expected =
        [
            "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
            "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias", "encoder.layer.1.attention.self.query.weight",
            "encoder.layer.0.attention.self.key.bias", "encoder.layer.0.attention.self.value.weight",
            "encoder.layer.0.attention.output.dense.weight", "encoder.layer.0.attention.output.LayerNorm.bias",
            "encoder.layer.0.intermediate.dense.weight", "encoder.layer.0.output.dense.bias", "encoder.layer.1.output.LayerNorm.weight",
        ];
        foreach (var name in expected)
        {
            Assert.Contains(name, names);
        }

        Assert.HasCount(5 + (2 * 16), names, "5 embedding tensors and 16 per layer: " + string.Join(" ", names));
    }

    [TestMethod]
    [DataRow("F32", "")]
    [DataRow("F16", "")]
    [DataRow("BF16", "bert.")]
    [DataRow("F32", "bert.")]
    public void LoadWeights_CheckpointOfAnotherEncoder_SameOutputs(string dtype, string prefix)
    {
        using var source = new TransformerEncoder(TinyEncoders.Transformer());
        RoundWeights(source, dtype);
        var path = WriteCheckpoint(source, dtype, prefix, extra: true);
        using var target = new TransformerEncoder(TinyEncoders.Transformer() with { Seed = 99 });
        Assert.IsGreaterThan(1e-3f, MaxOutputDiff(source, target), "before import the encoders differ");
        BertCheckpoint.LoadWeights(target, path);

        // The same float32 weights and the same operations: identical outputs (tolerance only for safety of the compare).
        Assert.IsLessThanOrEqualTo(1e-6f, MaxOutputDiff(source, target));
    }

    [TestMethod]
    public void LoadWeights_WrongShapeAndMissingTensor_AllNamedInOneError()
    {
        using var source = new TransformerEncoder(TinyEncoders.Transformer());
        var tensors = Named(source).Where(t => t.Name != "encoder.layer.1.intermediate.dense.bias").ToList();
        var i = tensors.FindIndex(t => t.Name == "encoder.layer.0.attention.self.query.weight");
        tensors[i] = (tensors[i].Name, [16, 8], new float[128]);
        tensors.Add(("encoder.layer.0.attention.self.rotary.weight", [2], [1f, 2f]));
        var path = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.safetensors");
        SafetensorsTestWriter.Write(path, tensors, "F32");
        using var target = new TransformerEncoder(TinyEncoders.Transformer());
        var error = Assert.ThrowsExactly<InvalidDataException>(() => BertCheckpoint.LoadWeights(target, path));
        StringAssert.Contains(error.Message, "missing 'encoder.layer.1.intermediate.dense.bias'");
        StringAssert.Contains(error.Message, "'encoder.layer.0.attention.self.query.weight' has shape [16, 8], expected [16, 16]");
        StringAssert.Contains(error.Message, "unexpected 'encoder.layer.0.attention.self.rotary.weight'");
    }

    [TestMethod]
    public void CreatePretrained_CheckpointDirectory_EncodesLikeSource()
    {
        using var source = new TransformerEncoder(TinyEncoders.Transformer());
        var directory = Directory.CreateTempSubdirectory("bert-").FullName;
        File.Move(WriteCheckpoint(source, "F32", "bert.", extra: true), Path.Combine(directory, BertCheckpoint.WeightsFileName));
        File.Move(TestVocabulary.WriteFile(), Path.Combine(directory, BertCheckpoint.VocabularyFileName));
        File.WriteAllText(Path.Combine(directory, BertCheckpoint.ConfigFileName), """
            {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": 20, "hidden_size": 16, "num_hidden_layers": 2,
             "num_attention_heads": 2, "intermediate_size": 32, "max_position_embeddings": 64, "type_vocab_size": 2,
             "layer_norm_eps": 1e-12, "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1}
            """);
        using var model = EmbeddingModel.CreatePretrained(directory, new PretrainedModelOptions { Device = DeviceKind.Cpu });
        var vectors = model.Encode(["the cat sat", "dog ##s ."]);
        source.eval();
        using var batch = TokenBatch.Collate(model.Tokenize(["the cat sat"]), 0);
        using var expected = source.call(batch.InputIds, batch.AttentionMask);
        Assert.IsLessThanOrEqualTo(1e-6f, TinyEncoders.MaxAbsDiff(TinyEncoders.Row(expected, 0), vectors[0]));
    }

    private static void RoundWeights(TransformerEncoder encoder, string dtype)
    {
        if (dtype == "F32")
        {
            return;
        }

        using var noGrad = no_grad();
        foreach (var (_, p) in encoder.named_parameters())
        {
            using var rounded = p.to(dtype == "F16" ? ScalarType.Float16 : ScalarType.BFloat16).to(ScalarType.Float32);
            p.copy_(rounded);
        }
    }

    private static List<(string Name, long[] Shape, float[] Values)> Named(TransformerEncoder encoder) =>
        encoder.state_dict().Select(p => (p.Key, p.Value.shape, p.Value.data<float>().ToArray())).ToList();

    private static string WriteCheckpoint(TransformerEncoder encoder, string dtype, string prefix, bool extra)
    {
        var tensors = Named(encoder).Select(t => (prefix + t.Name, t.Shape, t.Values)).ToList();
        if (extra)
        {
            tensors.Add((prefix + "pooler.dense.weight", [16, 16], new float[256]));
        }

        var path = Path.Combine(Path.GetTempPath(), $"ckpt-{Guid.NewGuid():N}.safetensors");
        SafetensorsTestWriter.Write(path, tensors, dtype);
        return path;
    }

    private static float MaxOutputDiff(TextEncoder a, TextEncoder b)
    {
        a.eval();
        b.eval();
        using var noGrad = no_grad();
        using var batch = TokenBatch.Collate(Texts, 0);
        using var x = a.call(batch.InputIds, batch.AttentionMask);
        using var y = b.call(batch.InputIds, batch.AttentionMask);
        return TinyEncoders.MaxAbsDiff(x.data<float>().ToArray(), y.data<float>().ToArray());
    }
}
