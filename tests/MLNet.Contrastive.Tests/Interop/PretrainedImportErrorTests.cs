using Microsoft.ML;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Interop.HuggingFace;
using MLNet.Contrastive.Interop.Onnx;
using MLNet.Contrastive.Tests.Encoders;
using MLNet.Contrastive.Tests.Interop.HuggingFace;
using MLNet.Contrastive.Tests.Text;
using MLNet.Contrastive.Tests.Transforms;
using MLNet.Contrastive.Training.Distributed;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Interop;

/// <summary>
/// What a pretrained folder or file, or an option that only the folder can judge, can get wrong: each is refused at the
/// earliest point that can know it (before any row of training data is read), naming the file or the option.
/// </summary>
[TestClass]
[DoNotParallelize] // two tests set process environment variables (the MPI library, Open MPI's launcher)
public sealed class PretrainedImportErrorTests
{
    private string directory = string.Empty;

    [TestInitialize]
    public void CreateDirectory() => directory = Directory.CreateTempSubdirectory("pretrained-errors-").FullName;

    [TestCleanup]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [TestMethod]
    public void CreatePretrained_NaNInSafetensors_RefusedNamingFileAndTensor()
    {
        WriteFolder(edit: tensors =>
        {
            var at = tensors.FindIndex(t => t.Name == "encoder.layer.1.output.dense.weight");
            tensors[at].Values[5] = float.NaN;
        });

        var error = Assert.ThrowsExactly<InvalidDataException>(() => CreatePretrained());

        StringAssert.Contains(error.Message, Path.Combine(directory, BertCheckpoint.WeightsFileName));
        StringAssert.Contains(error.Message, "encoder.layer.1.output.dense.weight");
        StringAssert.Contains(error.Message, "NaN at index 5");
    }

    [TestMethod]
    public void CreatePretrained_InfinityInAnOnnxInitializer_RefusedNamingTheWeight()
    {
        using var model = new EmbeddingModel(
            TextTokenizer(), new TransformerEncoder(TinyEncoders.Transformer()), null, DeviceKind.Cpu);
        using var stream = new MemoryStream();
        model.ExportToOnnx(stream);
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(stream.ToArray());
        const string weight = "encoder.layer.0.attention.self.key.weight";
        var initializer = proto.Graph.Initializer.Single(t => t.Name == weight);
        if (initializer.RawData.Length > 0)
        {
            var bytes = initializer.RawData.ToByteArray();
            BitConverter.TryWriteBytes(bytes.AsSpan(12, 4), float.PositiveInfinity);
            initializer.RawData = Google.Protobuf.ByteString.CopyFrom(bytes);
        }
        else
        {
            initializer.FloatData[3] = float.PositiveInfinity;
        }

        var error = Assert.ThrowsExactly<InvalidDataException>(() =>
            OnnxBertReader.Read(new MemoryStream(Google.Protobuf.MessageExtensions.ToByteArray(proto)), "the forged graph"));

        StringAssert.Contains(error.Message, "the forged graph");
        StringAssert.Contains(error.Message, weight);
        StringAssert.Contains(error.Message, "at index 3");
    }

    [TestMethod]
    public void CreatePretrained_ConfigDeclaresAHugeVocabulary_RefusedBeforeAllocatingIt()
    {
        // 20,000,000 x 16 floats would be 1.3 GB: the claim is compared with the tensors present first.
        WriteFolder(config: TinyEncoders.Transformer() with { VocabularySize = 20_000_000 });

        var error = Assert.ThrowsExactly<InvalidDataException>(() => CreatePretrained());

        StringAssert.Contains(error.Message, Path.Combine(directory, BertCheckpoint.ConfigFileName));
        StringAssert.Contains(error.Message, "vocab_size and hidden_size ([20000000, 16])");
        StringAssert.Contains(error.Message, "as [20, 16]");
    }

    [TestMethod]
    public void CreatePretrained_ConfigDeclaresOtherLayers_RefusedNamingTheKey()
    {
        WriteFolder(config: TinyEncoders.Transformer() with { LayerCount = 12 });

        var error = Assert.ThrowsExactly<InvalidDataException>(() => CreatePretrained());

        StringAssert.Contains(error.Message, "num_hidden_layers 12");
        StringAssert.Contains(error.Message, "holds 2 layers");
    }

    [TestMethod]
    public void CreatePretrained_SafetensorsShapeOverflows_RefusedNamingTheFile()
    {
        WriteFolder(edit: tensors => tensors.Add(("pooler.dense.bias", [long.MaxValue, 2], [1f, 2f])));

        var error = Assert.ThrowsExactly<InvalidDataException>(() => CreatePretrained());

        StringAssert.Contains(error.Message, Path.Combine(directory, BertCheckpoint.WeightsFileName));
        StringAssert.Contains(error.Message, "pooler.dense.bias");
        StringAssert.Contains(error.Message, "more elements than an array holds");
    }

    [TestMethod]
    public void Fit_PretrainedModelPathMissingOrNotAModel_NamesTheOption()
    {
        var missing = Path.Combine(directory, "absent");
        var notFound = Assert.ThrowsExactly<FileNotFoundException>(() => Fit(o => o.PretrainedModelPath = missing));
        StringAssert.Contains(notFound.Message, $"'{missing}' (PretrainedModelPath)");

        var text = Path.Combine(directory, "notes.txt");
        File.WriteAllText(text, "not a model");
        var notOnnx = Assert.ThrowsExactly<ArgumentException>(() => Fit(o => o.PretrainedModelPath = text));
        Assert.AreEqual(nameof(ContrastiveEmbeddingOptions.PretrainedModelPath), notOnnx.ParamName);
        foreach (var message in new[] { notFound.Message, notOnnx.Message })
        {
            Assert.IsFalse(message.Contains("EmbeddingModelOptions", StringComparison.Ordinal), message);
        }
    }

    [TestMethod]
    public void CreatePretrained_SixteenThousandPositions_MaxTokensBoundedByTheAttentionBudget()
    {
        WriteFolder(shape: TinyEncoders.Transformer() with { MaxLength = 16_384 });

        using (var model = CreatePretrained())
        {
            // 2 heads: at most floor(sqrt(2^28 / 2)) = 11,585 tokens fit one forward pass.
            Assert.AreEqual(11_585, model.Tokenizer.MaxTokens);
            Assert.AreEqual(AttentionBudget.LongestText(2), model.Tokenizer.MaxTokens);
        }

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CreatePretrained(new PretrainedModelOptions { MaxTokens = 16_384, Device = DeviceKind.Cpu }));
        Assert.AreEqual("MaxTokens", error.ParamName);
        StringAssert.Contains(error.Message, "at most 11,585 tokens");
    }

    [TestMethod]
    public void Fit_MoreFrozenLayersThanTheCheckpoint_RefusedBeforeAnyRowIsRead()
    {
        WriteFolder();

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Fit(o =>
        {
            o.PretrainedModelPath = directory;
            o.FrozenLayers = 3;
        }));

        Assert.AreEqual(nameof(ContrastiveEmbeddingOptions.FrozenLayers), error.ParamName);
        StringAssert.Contains(error.Message, "2 Transformer layers");
    }

    [TestMethod]
    public void Fit_EveryParameterOfTheCheckpointFrozen_RefusedBeforeAnyRowIsRead()
    {
        WriteFolder();

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Fit(o =>
        {
            o.PretrainedModelPath = directory;
            o.FrozenLayers = 2;
            o.FreezeEmbeddings = true;
        }));

        Assert.AreEqual(nameof(ContrastiveEmbeddingOptions.FreezeEmbeddings), error.ParamName);
        StringAssert.Contains(error.Message, "nothing would be trained");
    }

    [TestMethod]
    public void Constructor_EveryParameterFrozenFromScratch_Refused()
    {
        var options = TestData.Options();
        options.Layers = 2;
        options.FrozenLayers = 2;
        options.FreezeEmbeddings = true;
        options.EmbeddingDimension = options.Width; // no projection to train either

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(seed: 1).Transforms.ContrastiveEmbedding(options));

        Assert.AreEqual(nameof(ContrastiveEmbeddingOptions.FreezeEmbeddings), error.ParamName);
    }

    [TestMethod]
    public void Fit_MpiLibraryMissing_RefusedBeforeAnyRowIsRead()
    {
        var previous = Environment.GetEnvironmentVariable(MpiLibrary.LibraryVariable);
        Environment.SetEnvironmentVariable(MpiLibrary.LibraryVariable, "libno-such-mpi.so.12");
        try
        {
            var error = Assert.ThrowsExactly<InvalidOperationException>(() => Fit(o => o.Distributed = DistributedMode.Mpi));
            StringAssert.Contains(error.Message, "apt-get install mpich");
        }
        finally
        {
            Environment.SetEnvironmentVariable(MpiLibrary.LibraryVariable, previous);
        }
    }

    [TestMethod]
    public void Fit_StartedByOpenMpi_RefusedBeforeAnyRowIsRead()
    {
        Environment.SetEnvironmentVariable("OMPI_COMM_WORLD_SIZE", "2");
        try
        {
            var error = Assert.ThrowsExactly<NotSupportedException>(() => Fit(o => o.Distributed = DistributedMode.Auto));
            StringAssert.Contains(error.Message, "Open MPI");
        }
        finally
        {
            Environment.SetEnvironmentVariable("OMPI_COMM_WORLD_SIZE", null);
        }
    }

    [TestMethod]
    public void Constructor_TransformBatchSizeAboveTheBound_NamesTheOption()
    {
        var options = TestData.Options();
        options.TransformBatchSize = int.MaxValue;

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(seed: 1).Transforms.ContrastiveEmbedding(options));

        Assert.AreEqual(nameof(ContrastiveEmbeddingOptions.TransformBatchSize), error.ParamName);
        StringAssert.Contains(error.Message, "65536");
    }

    private static Contrastive.Text.TextTokenizer TextTokenizer() =>
        Contrastive.Text.TextTokenizer.FromBertVocabulary(TestVocabulary.WriteFile(), lowerCase: true, maxTokens: 32);

    private EmbeddingModel CreatePretrained(PretrainedModelOptions? options = null) =>
        EmbeddingModel.CreatePretrained(directory, options ?? new PretrainedModelOptions { Device = DeviceKind.Cpu });

    // A tiny BERT folder: config.json (of `config`, else of the weights' shape), vocab.txt and model.safetensors.
    private void WriteFolder(TransformerShape? shape = null, TransformerShape? config = null, Action<List<(string Name, long[] Shape, float[] Values)>>? edit = null) =>
        TinyBertFolder.Write(directory, shape, config, edit: edit);

    // Fit on data that fails the test if any row is read: every refusal here must come first.
    private static ContrastiveEmbeddingTransformer Fit(Action<ContrastiveEmbeddingOptions> change)
    {
        var mlContext = new MLContext(seed: 1);
        var options = TestData.Options();
        change(options);
        if (options.PretrainedModelPath is not null)
        {
            options.EncoderKind = EncoderKind.Transformer;
            options.EmbeddingDimension = null;
        }

        var estimator = mlContext.Transforms.ContrastiveEmbedding(options);
        return estimator.Fit(new TripwireDataView(TestData.View(mlContext, TestData.Rows(8))));
    }
}
