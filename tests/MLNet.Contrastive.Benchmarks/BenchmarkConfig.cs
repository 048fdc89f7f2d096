using System.Globalization;

namespace MLNet.Contrastive.Benchmarks;

/// <summary>The sizes of one benchmark run: the full run, or tiny sizes for <c>--quick</c>.</summary>
internal sealed record BenchmarkConfig
{
    public required bool Quick { get; init; }

    // The BERT-small-like encoder of suites a-c.
    public required int Layers { get; init; }

    public required int Width { get; init; }

    public required int Heads { get; init; }

    public required int FeedForward { get; init; }

    public required int Vocabulary { get; init; }

    public double Dropout { get; init; } = 0.1;

    // a) step time: every text exactly StepLength tokens.
    public required int StepLength { get; init; }

    public required int Chunk { get; init; }

    public required int[] StepBatches { get; init; }

    // b) peak RSS of one cached step.
    public required int MemoryLength { get; init; }

    public required int[] MemoryBatches { get; init; }

    // c) encode throughput on texts of MinTextLength..MaxTextLength tokens (uniform).
    public required int MinTextLength { get; init; }

    public required int MaxTextLength { get; init; }

    public required int[] EncodeBatches { get; init; }

    public required int TransformerTexts { get; init; }

    public required int StaticTexts { get; init; }

    // f) data-parallel step: the global batch (same encoder, StepLength and Chunk as suite a).
    public int DistributedBatch { get; init; } = 128;

    public static BenchmarkConfig Full { get; } = new()
    {
        Quick = false, Layers = 4, Width = 256, Heads = 4, FeedForward = 1024, Vocabulary = 8000,
        StepLength = 64, Chunk = 32, StepBatches = [32, 128, 512],
        MemoryLength = 64, MemoryBatches = [64, 256, 1024, 4096],
        MinTextLength = 8, MaxTextLength = 128, EncodeBatches = [64, 256], TransformerTexts = 512, StaticTexts = 8192,
    };

    public static BenchmarkConfig QuickRun { get; } = new()
    {
        Quick = true, Layers = 2, Width = 64, Heads = 2, FeedForward = 128, Vocabulary = 1000,
        StepLength = 16, Chunk = 8, StepBatches = [8, 32],
        MemoryLength = 16, MemoryBatches = [8, 32, 128],
        MinTextLength = 4, MaxTextLength = 32, EncodeBatches = [16, 64], TransformerTexts = 128, StaticTexts = 1024, DistributedBatch = 16,
    };

    /// <summary>One line describing the encoder, for table captions.</summary>
    public string EncoderDescription => string.Create(CultureInfo.InvariantCulture,
        $"TransformerEncoder {Layers} layers, width {Width}, {Heads} heads, feed-forward {FeedForward}, vocabulary {Vocabulary}, dropout {Dropout}, mean pooling");
}
