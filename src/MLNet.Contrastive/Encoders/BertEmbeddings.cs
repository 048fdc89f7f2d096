using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>BERT embeddings: word + learned position + token type row 0, then LayerNorm and dropout.</summary>
/// <remarks>Submodule names match Hugging Face's <c>embeddings.*</c> parameters.</remarks>
internal sealed class BertEmbeddings : nn.Module<Tensor, Tensor>
{
    private readonly Embedding _word;
    private readonly Embedding _position;
    private readonly Embedding _tokenType;
    private readonly LayerNorm _norm;
    private readonly Dropout _dropout;

    internal BertEmbeddings(TransformerEncoderOptions o)
        : base("embeddings")
    {
        _word = nn.Embedding(o.VocabularySize, o.HiddenSize);
        _position = nn.Embedding(o.MaxLength, o.HiddenSize);
        _tokenType = nn.Embedding(o.TokenTypeCount, o.HiddenSize);
        _norm = nn.LayerNorm(o.HiddenSize, o.LayerNormEpsilon);
        _dropout = nn.Dropout(o.Dropout);
        register_module("word_embeddings", _word);
        register_module("position_embeddings", _position);
        register_module("token_type_embeddings", _tokenType);
        register_module("LayerNorm", _norm);
        register_module("dropout", _dropout);
    }

    public override Tensor forward(Tensor inputIds)
    {
        using var scope = NewDisposeScope();
        var length = inputIds.shape[1];
        var positions = arange(length, dtype: ScalarType.Int64, device: inputIds.device);
        var x = _word.call(inputIds) + _position.call(positions).unsqueeze(0) + _tokenType.weight!.select(0, 0);
        return _dropout.call(_norm.call(x)).MoveToOuterDisposeScope();
    }
}
