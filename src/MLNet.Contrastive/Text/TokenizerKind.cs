namespace MLNet.Contrastive.Text;

/// <summary>Which tokenizer a <see cref="TextTokenizer"/> wraps.</summary>
internal enum TokenizerKind
{
    /// <summary>A BERT WordPiece tokenizer built from a vocab.txt; adds [CLS] and [SEP]. Persistable.</summary>
    Bert,

    /// <summary>OpenAI's tiktoken <c>cl100k_base</c> encoding (offline); no special tokens. Persistable.</summary>
    Cl100kBase,

    /// <summary>A user-supplied <see cref="Microsoft.ML.Tokenizers.Tokenizer"/>; not persistable.</summary>
    Custom,
}
