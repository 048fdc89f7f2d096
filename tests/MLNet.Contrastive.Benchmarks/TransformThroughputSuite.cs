namespace MLNet.Contrastive.Benchmarks;

/// <summary>
/// Suite d, reserved: throughput of the ML.NET transform (<c>mlContext.Transforms.ContrastiveEmbedding</c> applied to
/// an <c>IDataView</c> of texts) against the raw encoder on the same texts. It is written by the lead once the ML.NET
/// estimator is merged; until then <see cref="Program"/> does not call it and the report has no section d.
/// </summary>
/// <remarks>
/// Intended shape, to match suite c: the transformer and the static encoder of <see cref="BenchmarkConfig"/>, the same
/// mixed-length texts (as strings, so tokenization is timed on both sides), texts/s of
/// <c>transformer.Transform(data)</c> consumed through a cursor against <c>EmbeddingModel.Encode</c>, and the ratio.
/// </remarks>
internal static class TransformThroughputSuite
{
}
