using MLNet.Contrastive.Encoders;

namespace MLNet.Contrastive.Interop;

/// <summary>A BERT-family checkpoint read into memory: its shape and its tensors under this encoder's (Hugging Face) names.</summary>
/// <param name="Shape">The encoder options the checkpoint defines (mean pooling, no projection, no normalisation).</param>
/// <param name="Tensors">The weights by parameter name (prefix <c>bert.</c> removed, pooler and position ids dropped).</param>
/// <param name="Source">The file (or stream description) for messages.</param>
internal sealed record PretrainedWeights(TransformerShape Shape, IReadOnlyDictionary<string, TensorData> Tensors, string Source)
{
    /// <summary>The name of the token embedding table, whose rows bound the vocabulary.</summary>
    internal const string WordEmbeddings = "embeddings.word_embeddings.weight";

    /// <summary>The name of the position embedding table, whose rows bound the sequence length.</summary>
    internal const string PositionEmbeddings = "embeddings.position_embeddings.weight";

    /// <summary>Builds an encoder of <paramref name="options"/> (the shape with pooling, projection, ... changed) holding these weights.</summary>
    /// <exception cref="InvalidDataException">A tensor is missing or mis-shaped (all named).</exception>
    internal TransformerEncoder CreateEncoder(TransformerShape options)
    {
        var encoder = new TransformerEncoder(options);
        try
        {
            TensorData.LoadInto(encoder, Tensors, Source, name => name.StartsWith("projection.", StringComparison.Ordinal));
            return encoder;
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }
}
