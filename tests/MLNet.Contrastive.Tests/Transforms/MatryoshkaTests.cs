using Microsoft.Extensions.AI;
using Microsoft.ML;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Tests.Encoders;
using MLNet.Contrastive.Tests.Interop.HuggingFace;
using MLNet.Contrastive.Tests.Interop.Onnx;
using MLNet.Contrastive.Tests.Text;
using MLNet.Contrastive.Text;
using MLNet.Contrastive.Transforms;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Transforms;

/// <summary>Matryoshka dimensions through the estimator, and a transformer that outputs a prefix of its embeddings:
/// the vectors, saving, the card, the generator and the ONNX export all give the same prefix.</summary>
[TestClass]
public sealed class MatryoshkaTests
{
    [TestMethod]
    public void Fit_WithATruncatedDimension_OutputsTheNormalisedPrefixOfTheEncodersEmbeddings()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.View(mlContext, TestData.Rows(16));
        var options = Options();

        using var transformer = mlContext.Transforms.ContrastiveEmbedding(options).Fit(data);

        Assert.AreEqual(8, transformer.Dimension);
        var vectors = TestData.Vectors(transformer.Transform(data));
        Assert.IsTrue(vectors.All(v => v.Length == 8));

        // The prefix of the encoder's own 16 values, normalised again.
        var model = transformer.Model;
        var texts = TestData.Rows(16).Select(r => r.Anchor!).ToArray();
        using (var scope = NewDisposeScope())
        {
            model.Encoder.eval();
            using var noGrad = no_grad();
            using var batch = model.Collate(model.Tokenize(texts));
            var whole = model.Encoder.call(batch.InputIds, batch.AttentionMask);
            Assert.AreEqual(16L, whole.shape[1]);
            var prefix = nn.functional.normalize(whole.narrow(1, 0, 8), 2.0, 1);
            for (var i = 0; i < texts.Length; i++)
            {
                Assert.IsLessThanOrEqualTo(1e-6f, TinyEncoders.MaxAbsDiff(prefix[i].data<float>().ToArray(), vectors[i]), $"row {i}");
            }
        }

        StringAssert.Contains(transformer.ModelCard!.Pooling, "the first 8 of its 16 values, normalised again");
        StringAssert.Contains(transformer.ModelCard.Loss, "Matryoshka over dimensions 4, 8, 16");
        Assert.AreEqual(8, transformer.ModelCard.Dimension);
    }

    [TestMethod]
    public async Task Truncated_SaveLoadGeneratorAndOnnx_AllGiveThePrefix()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.View(mlContext, TestData.Rows(16));
        using var transformer = mlContext.Transforms.ContrastiveEmbedding(Options()).Fit(data);
        var expected = TestData.Vectors(transformer.Transform(data));
        var directory = Directory.CreateTempSubdirectory("matryoshka-").FullName;
        try
        {
            var path = Path.Combine(directory, "model.zip");
            mlContext.Model.Save(transformer, data.Schema, path);
            var loaded = (ContrastiveEmbeddingTransformer)ContrastiveEmbeddingTransformer.Load(new MLContext(), path, out _);
            using (loaded)
            {
                Assert.AreEqual(8, loaded.Dimension);
                var again = TestData.Vectors(loaded.Transform(data));
                for (var i = 0; i < expected.Length; i++)
                {
                    CollectionAssert.AreEqual(expected[i], again[i], "saved and loaded: bit for bit");
                }

                using var generator = loaded.AsIEmbeddingGenerator();
                Assert.AreEqual(8, generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelDimensions);
                var generated = await generator.GenerateAsync([TestData.Rows(1)[0].Anchor!]);
                Assert.HasCount(8, generated[0].Vector.ToArray());
                Assert.IsLessThanOrEqualTo(1e-6f, TinyEncoders.MaxAbsDiff(expected[0], generated[0].Vector.ToArray()), "a batch of one: float rounding only");
            }

            // The export slices and normalises in the graph: ONNX Runtime gives the same 8 values.
            var (sentence, _) = OnnxParity.Check(transformer.Model);
            Assert.IsGreaterThanOrEqualTo(0f, sentence);
            var onnx = Path.Combine(directory, "model.onnx");
            transformer.Model.ExportToOnnx(onnx);
            using var imported = EmbeddingModel.CreatePretrained(onnx, new PretrainedModelOptions { Device = DeviceKind.Cpu });
            Assert.AreEqual(8, imported.Dimension, "the importer reads the truncation back");
            var texts = TestData.Rows(16).Select(r => r.Anchor!).ToArray();
            var reimported = imported.Encode(texts);
            var original = transformer.Model.Encode(texts);
            Assert.IsLessThanOrEqualTo(1e-6f, original.Zip(reimported, TinyEncoders.MaxAbsDiff).Max());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void Options_BadMatryoshkaSettings_AreRefusedNamingTheOption()
    {
        string Refused(Action<ContrastiveEmbeddingOptions> change)
        {
            var options = Options();
            change(options);
            return Assert.Throws<ArgumentException>(() => new MLContext(seed: 1).Transforms.ContrastiveEmbedding(options)).ParamName!;
        }

        Assert.AreEqual("MatryoshkaDimensions", Refused(o => o.MatryoshkaDimensions = [8, 4, 16]));
        Assert.AreEqual("MatryoshkaDimensions", Refused(o => o.MatryoshkaDimensions = [4, 8, 32]), "above the model's 16");
        Assert.AreEqual("MatryoshkaWeights", Refused(o => o.MatryoshkaWeights = [1, 2]));
        Assert.AreEqual("MatryoshkaWeights", Refused(o => o.MatryoshkaWeights = [1, 0, 1]));
        Assert.AreEqual("TruncatedDimension", Refused(o => o.TruncatedDimension = 6), "not one of the trained prefixes");
        Assert.AreEqual("TruncatedDimension", Refused(o =>
        {
            o.MatryoshkaDimensions = null;
            o.TruncatedDimension = 17;
        }), "above the model's dimension");
    }

    [TestMethod]
    public void Fit_PretrainedWithMatryoshkaAboveItsDimension_RefusedBeforeAnyRowIsRead()
    {
        var directory = Directory.CreateTempSubdirectory("matryoshka-bert-").FullName;
        try
        {
            TinyBertFolder.Write(directory);
            var mlContext = new MLContext(seed: 1);
            var options = new ContrastiveEmbeddingOptions
            {
                AnchorColumnName = nameof(PairRow.Anchor), PositiveColumnName = nameof(PairRow.Positive), PretrainedModelPath = directory,
                MatryoshkaDimensions = [8, 32], Epochs = 1,
            };

            var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
                mlContext.Transforms.ContrastiveEmbedding(options).Fit(new TripwireDataView(TestData.View(mlContext, TestData.Rows(8)))));

            Assert.AreEqual("MatryoshkaDimensions", error.ParamName);
            StringAssert.Contains(error.Message, "model's dimension (16)");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void Load_ModelStreamOfAnotherVersionWithATruncation_OlderReadersRefuseIt()
    {
        using var whole = new EmbeddingModel(TextTokenizer.FromBertVocabulary(TestVocabulary.WriteFile(), true, 16), new StaticEncoder(TinyEncoders.Static()), null, DeviceKind.Cpu);
        using var truncated = new EmbeddingModel(TextTokenizer.FromBertVocabulary(TestVocabulary.WriteFile(), true, 16), new StaticEncoder(TinyEncoders.Static()), null, DeviceKind.Cpu, truncatedDimension: 4);
        using var a = new MemoryStream();
        using var b = new MemoryStream();
        whole.Save(a);
        truncated.Save(b);

        // Header: signature (8 bytes), written version, minimum reader version.
        Assert.AreEqual((2, 2), (BitConverter.ToInt32(a.ToArray(), 8), BitConverter.ToInt32(a.ToArray(), 12)), "a whole model stays readable by version-2 readers");
        Assert.AreEqual((3, 3), (BitConverter.ToInt32(b.ToArray(), 8), BitConverter.ToInt32(b.ToArray(), 12)), "a version-2 reader would give the whole embeddings: it must refuse");
        b.Position = 0;
        using var loaded = EmbeddingModel.Load(b, DeviceKind.Cpu);
        Assert.AreEqual(4, loaded.Dimension);
    }

    private static ContrastiveEmbeddingOptions Options()
    {
        var options = TestData.Options(dimension: 16);
        options.MatryoshkaDimensions = [4, 8, 16];
        options.MatryoshkaWeights = [1, 1, 2];
        options.TruncatedDimension = 8;
        options.Normalize = true;
        return options;
    }
}
