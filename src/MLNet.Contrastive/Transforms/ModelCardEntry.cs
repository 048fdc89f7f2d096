using Microsoft.ML;
using MLNet.Contrastive.Encoders;

namespace MLNet.Contrastive.Transforms;

/// <summary>Writes and reads the model card's own entry in the transformer's directory of the zip (docs/persistence.md).</summary>
internal static class ModelCardEntry
{
    /// <summary>Writes <paramref name="card"/> as a UTF-8 JSON text entry; writes nothing when there is no card.</summary>
    internal static void Save(ModelSaveContext ctx, string name, ModelCard? card)
    {
        if (card is not null)
        {
            ctx.SaveTextStream(name, writer => writer.Write(card.ToJson()));
        }
    }

    /// <summary>Reads the card, or returns <see langword="null"/> when the zip has none (written by format 1.1).</summary>
    /// <exception cref="InvalidDataException">The entry is not a JSON card, or it contradicts the model it describes (its
    /// dimension or maximum length): the zip was edited or forged. <paramref name="model"/> is disposed first.</exception>
    internal static ModelCard? Load(ModelLoadContext ctx, string name, EmbeddingModel model)
    {
        try
        {
            ModelCard? card = null;
            ctx.TryLoadTextStream(name, reader => card = ModelCard.FromJson(reader.ReadToEnd()));
            if (card is not null && (card.Dimension != model.Dimension || card.MaxTokens != model.Tokenizer.MaxTokens))
            {
                throw new InvalidDataException(
                    $"the card says dimension {card.Dimension} and {card.MaxTokens} tokens at most, the model has {model.Dimension} and {model.Tokenizer.MaxTokens}");
            }

            return card;
        }
        catch (InvalidDataException e)
        {
            model.Dispose();
            throw new InvalidDataException($"Corrupt contrastive embedding model: the '{name}' entry could not be read ({e.Message}).", e);
        }
    }
}
