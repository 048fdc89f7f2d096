using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Tests.Encoders;

namespace MLNet.Contrastive.Tests.Integration;

/// <summary>
/// One pretrained package model, loaded once per test class: this library's model built from the package's ONNX
/// resource, and the reference — the package's own ONNX graph run by ONNX Runtime on the same (Hugging Face) token ids,
/// one text at a time without padding, pooled and L2-normalised as the package does.
/// </summary>
internal sealed class ParityFixture : IDisposable
{
    private readonly InferenceSession session;

    private ParityFixture(string name, PoolingMode pooling)
    {
        Name = name;
        Pooling = pooling;
        Model = EmbeddingModel.CreatePretrained(
            new MemoryStream(PretrainedResources.Onnx(name)), new MemoryStream(PretrainedResources.Vocabulary(name)),
            new PretrainedModelOptions { Pooling = pooling, Normalize = true, Device = DeviceKind.Cpu });
        using var options = new SessionOptions { IntraOpNumThreads = 2 };
        session = new InferenceSession(PretrainedResources.Onnx(name), options);
        Reference = Sentences.Select(t => ReferenceVector(Model.Tokenize([t])[0])).ToArray();
    }

    internal string Name { get; }

    internal PoolingMode Pooling { get; }

    internal EmbeddingModel Model { get; }

    internal string[] Sentences { get; } = ParitySentences.All;

    /// <summary>Gets the reference vector of each of <see cref="Sentences"/>.</summary>
    internal float[][] Reference { get; }

    internal static ParityFixture Create(string name, PoolingMode pooling) => new(name, pooling);

    /// <summary>The largest absolute difference of any component of any vector.</summary>
    internal static float MaxAbsDiff(IReadOnlyList<float[]> expected, IReadOnlyList<float[]> actual)
    {
        Assert.HasCount(expected.Count, actual);
        var max = 0f;
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.HasCount(expected[i].Length, actual[i], $"vector {i}");
            max = Math.Max(max, TinyEncoders.MaxAbsDiff(expected[i], actual[i]));
        }

        return max;
    }

    /// <summary>The package's ONNX graph under ONNX Runtime on one text's ids, pooled (mean or first token) and L2-normalised.</summary>
    internal float[] ReferenceVector(int[] ids)
    {
        var length = ids.Length;
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids.Select(i => (long)i).ToArray(), [1, length])),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(Enumerable.Repeat(1L, length).ToArray(), [1, length])),
        };
        if (session.InputMetadata.ContainsKey("token_type_ids"))
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[length], [1, length])));
        }

        using var results = session.Run(inputs, ["last_hidden_state"]);
        var states = results.Single().AsEnumerable<float>().ToArray();
        var width = states.Length / length;
        var pooled = new double[width];
        var rows = Pooling == PoolingMode.Cls ? 1 : length;
        for (var t = 0; t < rows; t++)
        {
            for (var d = 0; d < width; d++)
            {
                pooled[d] += states[(t * width) + d] / (double)rows;
            }
        }

        var norm = Math.Sqrt(pooled.Sum(v => v * v));
        return pooled.Select(v => (float)(v / norm)).ToArray();
    }

    public void Dispose()
    {
        session.Dispose();
        Model.Dispose();
    }
}
