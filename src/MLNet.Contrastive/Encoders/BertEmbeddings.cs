using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>BERT embeddings: word + learned position + token type row 0, then LayerNorm and dropout.</summary>
/// <remarks>Submodule names match Hugging Face's <c>embeddings.*</c> parameters.</remarks>
internal sealed class BertEmbeddings : nn.Module<Tensor, Tensor>
{
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly Embedding token_type_embeddings;
#pragma warning disable IDE1006 // Hugging Face's parameter name is "LayerNorm": RegisterComponents names the submodule after the field.
    private readonly LayerNorm LayerNorm;
#pragma warning restore IDE1006
    private readonly Dropout dropout;

    internal BertEmbeddings(TransformerShape o)
        : base("embeddings")
    {
        word_embeddings = nn.Embedding(o.VocabularySize, o.HiddenSize);
        position_embeddings = nn.Embedding(o.MaxLength, o.HiddenSize);
        token_type_embeddings = nn.Embedding(o.TokenTypeCount, o.HiddenSize);
        LayerNorm = nn.LayerNorm(o.HiddenSize, o.LayerNormEpsilon);
        dropout = nn.Dropout(o.Dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor inputIds)
    {
        using var scope = NewDisposeScope();
        var length = inputIds.shape[1];
        var positions = arange(length, dtype: ScalarType.Int64, device: inputIds.device);
        var x = word_embeddings.call(inputIds) + position_embeddings.call(positions).unsqueeze(0) + token_type_embeddings.weight!.select(0, 0);
        return dropout.call(LayerNorm.call(x)).MoveToOuterDisposeScope();
    }
}
