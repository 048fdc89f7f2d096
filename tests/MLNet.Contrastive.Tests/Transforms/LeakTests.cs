using System.Diagnostics;
using Microsoft.ML;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Transforms;

[TestClass]
[DoNotParallelize]
public sealed class LeakTests
{
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void FitTransformDispose_Repeated_OnlyTorchSharpsOneCountedHandlePerParameterRemains(bool learnableTemperature)
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.View(mlContext, TestData.Rows(16));
        var options = TestData.Options();
        options.LearnableTemperature = learnableTemperature;
        int Cycle()
        {
            using var transformer = mlContext.Transforms.ContrastiveEmbedding(options).Fit(data);
            var rows = TestData.Vectors(transformer.Transform(data)).Length;
            Assert.AreEqual(16, rows);
            return transformer.Model.Encoder.modules().Count(m => m is Linear or LayerNorm);
        }

        var modules = Cycle(); // warm-up: tokenizer caches, libtorch's own allocations
        Cycle();
        var before = LiveTensors();
        var rssBefore = Process.GetCurrentProcess().Refresh2().WorkingSet64;
        const int cycles = 4;
        for (var i = 0; i < cycles; i++)
        {
            Cycle();
        }

        var grown = LiveTensors() - before;
        var rssGrown = Process.GetCurrentProcess().Refresh2().WorkingSet64 - rssBefore;

        // TorchSharp 0.107 leaves one tensor handle counted for every Parameter built from a tensor, even after both are
        // disposed (their native memory is returned; ParameterConstruction_LeavesOneCountedHandle pins this): 2 per
        // nn.Linear / nn.LayerNorm (weight and bias) and 1 for a learnable temperature (its log scale). Everything else
        // the library creates (models, optimizer state, batches) must be gone.
        var temperatureParameters = learnableTemperature ? cycles : 0;
        Assert.AreEqual((2L * modules * cycles) + temperatureParameters, grown, $"{modules} Linear/LayerNorm modules per model");
        // RSS: a leak of one model per cycle would be several MB each; allow allocator noise of 40 MB over 4 cycles.
        Assert.IsLessThan(40L << 20, rssGrown, $"RSS grew {rssGrown >> 20} MB over {cycles} cycles");
    }

    [TestMethod]
    public void ParameterConstruction_LeavesOneCountedHandle()
    {
        // The TorchSharp 0.107 behaviour the count above relies on; if a TorchSharp update changes it, this fails first.
        var before = LiveTensors();
        for (var i = 0; i < 3; i++)
        {
            using var data = tensor(new float[] { 1, 2 });
            using var parameter = new Parameter(data, requires_grad: true);
            using var total = parameter.sum();
            Assert.AreEqual(3f, total.item<float>());
        }

        Assert.AreEqual(3L, LiveTensors() - before);
    }

    private static long LiveTensors()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Tensor.TotalCount;
    }

    [TestMethod]
    public void Transform_100kRows_RssFlat()
    {
        var mlContext = new MLContext(seed: 1);
        var options = TestData.Options();
        options.EncoderKind = global::MLNet.Contrastive.Encoders.EncoderKind.Static;
        using var transformer = mlContext.Transforms.ContrastiveEmbedding(options).Fit(TestData.View(mlContext, TestData.Rows(16)));
        var texts = TestData.Rows(64, seed: 2).Select(r => r.Anchor!).ToArray();
        var input = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 100_000).Select(i => new TextRow { Anchor = texts[i % texts.Length] }));
        var view = transformer.Transform(input);
        using var cursor = view.GetRowCursor(new[] { view.Schema["Embedding"] });
        var getter = cursor.GetGetter<Microsoft.ML.Data.VBuffer<float>>(view.Schema["Embedding"]);
        var vector = default(Microsoft.ML.Data.VBuffer<float>);
        long rows = 0, rssAt20k = 0;
        while (cursor.MoveNext())
        {
            getter(ref vector);
            if (++rows == 20_000)
            {
                GC.Collect();
                rssAt20k = Process.GetCurrentProcess().Refresh2().WorkingSet64;
            }
        }

        GC.Collect();
        var grown = Process.GetCurrentProcess().Refresh2().WorkingSet64 - rssAt20k;
        Assert.AreEqual(100_000L, rows);
        // The probe saw +2.7 MB from 20k to 100k rows; a per-row leak of even 200 bytes would add 16 MB.
        Assert.IsLessThan(16L << 20, grown, $"RSS grew {grown >> 10} KB from 20k to 100k rows");
    }
}

internal static class ProcessExtensions
{
    internal static Process Refresh2(this Process process)
    {
        process.Refresh();
        return process;
    }
}
