using Microsoft.ML.OnnxRuntime;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Tests.Encoders;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Interop.Onnx;

/// <summary>Runs an exported graph in ONNX Runtime and the library's model on the same texts, and compares them.</summary>
internal static class OnnxParity
{
    /// <summary>Real sentences of mixed lengths (one empty), so every batch pads.</summary>
    internal static readonly string[] Sentences =
    [
        "The cat sat on the mat.",
        "hello world",
        "A big red dog is running on the mat, and the cats sat on a big red mat.",
        string.Empty,
        "Dogs!",
        "The quick brown fox jumps over the lazy dog near the river bank.",
        "hello",
        "Café au lait, naïve façade: accents and punctuation; run running runs.",
    ];

    /// <summary>The most any component may differ: float32 kernels of ONNX Runtime and libtorch sum in different
    /// orders (matrix products, LayerNorm, softmax), which moves values of order 1 by a few 1e-7 per layer.</summary>
    internal const float Tolerance = 1e-4f;

    /// <summary>Moves every parameter away from BERT's small initialisation (seeded), so attention is peaked and GELU non-linear.</summary>
    internal static void Perturb(TextEncoder encoder, long seed, double scale = 0.3)
    {
        using var noGrad = no_grad();
        var generator = new Generator((ulong)seed);
        foreach (var parameter in encoder.parameters())
        {
            using var noise = randn(parameter.shape, generator: generator) * scale;
            parameter.add_(noise);
        }
    }

    /// <summary>The library's outputs: pooled embeddings, and the token states of each text's real tokens.</summary>
    internal static (float[][] Sentence, float[][][]? Hidden) Library(EmbeddingModel model, IReadOnlyList<string> texts)
    {
        var sequences = model.Tokenize(texts);
        var sentence = model.EncodeTokenized(sequences, batchSize: texts.Count);
        if (model.Encoder is StaticEncoder bag)
        {
            // A static encoder's token states are its embedding rows.
            using var table = bag.state_dict()["embeddings.weight"].detach().cpu();
            return (sentence, sequences.Select(s => s.Select(id => table[id].data<float>().ToArray()).ToArray()).ToArray());
        }

        if (model.Encoder is not TransformerEncoder transformer)
        {
            return (sentence, null);
        }

        transformer.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var batch = model.Collate(sequences);
        var states = transformer.TokenStates(batch.InputIds, batch.AttentionMask).cpu();
        var hidden = new float[texts.Count][][];
        for (var i = 0; i < texts.Count; i++)
        {
            hidden[i] = Enumerable.Range(0, sequences[i].Length).Select(j => states[i, j].data<float>().ToArray()).ToArray();
        }

        return (sentence, hidden);
    }

    /// <summary>Runs the graph on the tokenizer's own ids (no vocabulary map), padded with [PAD]/the padding id to the longest text.</summary>
    internal static (float[][] Sentence, float[][][] Hidden) Onnx(InferenceSession session, EmbeddingModel model, IReadOnlyList<string> texts)
    {
        var sequences = model.Tokenizer.EncodeBatch(texts).Sequences;
        var (n, length) = (sequences.Count, sequences.Max(s => s.Length));
        var ids = new long[n * length];
        var mask = new long[n * length];
        Array.Fill(ids, model.Tokenizer.PaddingId);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < sequences[i].Length; j++)
            {
                ids[(i * length) + j] = sequences[i][j];
                mask[(i * length) + j] = 1;
            }
        }

        long[] shape = [n, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(new long[n * length], shape);
        var inputs = new Dictionary<string, OrtValue> { ["input_ids"] = idsValue, ["attention_mask"] = maskValue, ["token_type_ids"] = typesValue };
        using var options = new RunOptions();
        using var results = session.Run(options, inputs, ["last_hidden_state", "sentence_embedding"]);
        var states = results[0].GetTensorDataAsSpan<float>().ToArray();
        var width = (int)results[0].GetTensorTypeAndShape().Shape[2];
        var sentence = results[1].GetTensorDataAsSpan<float>().ToArray();
        var dimension = sentence.Length / n;
        var hidden = new float[n][][];
        for (var i = 0; i < n; i++)
        {
            hidden[i] = Enumerable.Range(0, sequences[i].Length)
                .Select(j => states.AsSpan(((i * length) + j) * width, width).ToArray()).ToArray();
        }

        return (Enumerable.Range(0, n).Select(i => sentence.AsSpan(i * dimension, dimension).ToArray()).ToArray(), hidden);
    }

    /// <summary>Exports, runs both, asserts both outputs agree, and returns the largest differences (sentence, hidden).</summary>
    internal static (float Sentence, float Hidden) Check(EmbeddingModel model, IReadOnlyList<string>? texts = null)
    {
        texts ??= Sentences;
        using var stream = new MemoryStream();
        model.ExportToOnnx(stream);
        using var session = new InferenceSession(stream.ToArray());
        var expected = Library(model, texts);
        var actual = Onnx(session, model, texts);
        var sentence = MaxAbsDiff(expected.Sentence, actual.Sentence);
        Assert.IsLessThanOrEqualTo(Tolerance, sentence, "sentence_embedding must equal the library's embeddings");
        var hidden = 0f;
        if (expected.Hidden is { } states)
        {
            hidden = MaxAbsDiff(states.SelectMany(s => s).ToArray(), actual.Hidden.SelectMany(s => s).ToArray());
            Assert.IsLessThanOrEqualTo(Tolerance, hidden, "last_hidden_state must equal the library's token states on unmasked positions");
        }

        Console.WriteLine($"max |diff|: sentence_embedding {sentence:E2}, last_hidden_state {hidden:E2}");
        return (sentence, hidden);
    }

    internal static float MaxAbsDiff(float[][] expected, float[][] actual)
    {
        Assert.HasCount(expected.Length, actual);
        var max = 0f;
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.HasCount(expected[i].Length, actual[i], $"row {i} length");
            Assert.IsTrue(actual[i].All(float.IsFinite), $"row {i} must be finite");
            max = Math.Max(max, TinyEncoders.MaxAbsDiff(expected[i], actual[i]));
        }

        return max;
    }
}
