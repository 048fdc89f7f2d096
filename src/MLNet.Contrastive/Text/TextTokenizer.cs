using Microsoft.ML.Tokenizers;

namespace MLNet.Contrastive.Text;

/// <summary>
/// Turns texts into token ids for an encoder: wraps a <see cref="Tokenizer"/>, adds its special tokens, truncates to a
/// maximum token count and can be saved with a model.
/// </summary>
/// <remarks>
/// <para>BERT (<see cref="FromBertVocabulary(string, bool, int)"/>): <c>[CLS] tokens [SEP]</c>; a long text keeps its
/// first <c>MaxTokens - 2</c> tokens and always ends in <c>[SEP]</c>. An empty text gives <c>[CLS] [SEP]</c>.</para>
/// <para>tiktoken <c>cl100k_base</c> (<see cref="Cl100kBase(int)"/>): no special tokens; a long text keeps its first
/// <c>MaxTokens</c> tokens. A text that yields no token (the empty text) is encoded as the single token
/// <c>&lt;|endoftext|&gt;</c> (id 100257), which ordinary text never produces, so every text has at least one token and
/// a finite embedding.</para>
/// <para>Custom (<see cref="FromTokenizer"/>): the tokenizer's own ids (with whatever special tokens it adds itself), cut to
/// <c>MaxTokens</c>; a text with no token becomes the single token <see cref="PaddingId"/>. Not persistable.</para>
/// </remarks>
internal sealed class TextTokenizer
{
    /// <summary>The tiktoken encoding name used by <see cref="Cl100kBase(int)"/>.</summary>
    public const string Cl100kBaseName = "cl100k_base";

    private const int Cl100kEndOfText = 100257;
    private readonly string[]? bertTokens;
    private readonly int clsId;
    private readonly int sepId;
    private readonly int emptyTextId;

    private TextTokenizer(Tokenizer tokenizer, TokenizerKind kind, int maxTokens, int vocabularySize, int paddingId, string[]? bertTokens, bool lowerCase, bool huggingFaceBasic = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, kind == TokenizerKind.Bert ? 2 : 1);
        Tokenizer = tokenizer;
        Kind = kind;
        MaxTokens = maxTokens;
        VocabularySize = vocabularySize;
        PaddingId = paddingId;
        LowerCase = lowerCase;
        this.bertTokens = bertTokens;
        HuggingFaceBasicTokenization = huggingFaceBasic;
        emptyTextId = kind == TokenizerKind.Cl100kBase ? Cl100kEndOfText : paddingId;
        if (tokenizer is BertTokenizer bert)
        {
            clsId = bert.ClassificationTokenId;
            sepId = bert.SeparatorTokenId;
        }
    }

    /// <summary>Gets the wrapped tokenizer.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>Gets which tokenizer this is.</summary>
    public TokenizerKind Kind { get; }

    /// <summary>Gets the maximum number of tokens of a text, special tokens included.</summary>
    public int MaxTokens { get; }

    /// <summary>Gets the number of token ids (the largest id plus one).</summary>
    public int VocabularySize { get; }

    /// <summary>Gets the id written into padding positions ([PAD] for BERT).</summary>
    public int PaddingId { get; }

    /// <summary>Gets a value indicating whether a BERT tokenizer lower-cases text (and strips accents) first (false for other kinds).</summary>
    public bool LowerCase { get; }

    /// <summary>Gets the BERT vocabulary's tokens in id order (the vocab.txt lines), or null for other kinds.</summary>
    internal IReadOnlyList<string>? BertTokens => bertTokens;

    /// <summary>
    /// Gets a value indicating whether a BERT tokenizer splits text exactly as Hugging Face's BertTokenizer does
    /// (control and format characters removed, white space unified, accents stripped when lower-casing, CJK characters split). True for every
    /// tokenizer created now; false only for one loaded from a model saved before this existed, which keeps the
    /// tokenization it was trained with (accents kept, control characters passed to the WordPiece tokenizer).
    /// </summary>
    public bool HuggingFaceBasicTokenization { get; }

    /// <summary>Creates a BERT WordPiece tokenizer from a vocab.txt file.</summary>
    /// <param name="vocabularyPath">The vocab.txt: one token per line, the line index being the id.</param>
    /// <param name="lowerCase">Whether to lower-case (and strip accents) first, as for uncased models.</param>
    /// <param name="maxTokens">The maximum tokens per text, [CLS] and [SEP] included (at least 2).</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="vocabularyPath"/> is null.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist (the message names it).</exception>
    /// <exception cref="ArgumentException">The path is a directory, or the file is malformed: the message names the file and the line.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is less than 2.</exception>
    public static TextTokenizer FromBertVocabulary(string vocabularyPath, bool lowerCase = true, int maxTokens = 128)
    {
        ArgumentNullException.ThrowIfNull(vocabularyPath);
        if (Directory.Exists(vocabularyPath))
        {
            throw new ArgumentException($"The vocabulary path '{vocabularyPath}' is a directory; expected a vocab.txt file (one token a line).", nameof(vocabularyPath));
        }

        if (!File.Exists(vocabularyPath))
        {
            throw new FileNotFoundException($"The vocabulary file '{vocabularyPath}' does not exist.", vocabularyPath);
        }

        using var reader = new StreamReader(vocabularyPath);
        return FromBertTokens(BertVocabulary.Read(reader, vocabularyPath, nameof(vocabularyPath)), lowerCase, maxTokens);
    }

    /// <summary>Creates a BERT WordPiece tokenizer from a vocab.txt stream (read to its end, not disposed).</summary>
    /// <param name="vocabulary">The vocab.txt content.</param>
    /// <param name="lowerCase">Whether to lower-case (and strip accents) first, as for uncased models.</param>
    /// <param name="maxTokens">The maximum tokens per text, [CLS] and [SEP] included (at least 2).</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="vocabulary"/> is null.</exception>
    /// <exception cref="ArgumentException">The vocabulary is malformed: the message names the line.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is less than 2.</exception>
    public static TextTokenizer FromBertVocabulary(Stream vocabulary, bool lowerCase = true, int maxTokens = 128)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        using var reader = new StreamReader(vocabulary, leaveOpen: true);
        return FromBertTokens(BertVocabulary.Read(reader, "(stream)", nameof(vocabulary)), lowerCase, maxTokens);
    }

    /// <summary>Creates the tiktoken <c>cl100k_base</c> tokenizer (bundled, no download).</summary>
    /// <param name="maxTokens">The maximum tokens per text (at least 1).</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is less than 1.</exception>
    public static TextTokenizer Cl100kBase(int maxTokens = 128)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        var tiktoken = TiktokenTokenizer.CreateForEncoding(Cl100kBaseName);
        // cl100k's special tokens hold its largest ids (100257..100276), above the 100,256 ordinary tokens.
        var size = tiktoken.SpecialTokens!.Values.Max() + 1;
        return new TextTokenizer(tiktoken, TokenizerKind.Cl100kBase, maxTokens, size, Cl100kEndOfText, null, false);
    }

    /// <summary>Wraps any tokenizer. Such a tokenizer cannot be saved with a model.</summary>
    /// <param name="tokenizer">The tokenizer; its <c>EncodeToIds</c> output is used as is.</param>
    /// <param name="vocabularySize">The number of ids it can produce (largest id plus one).</param>
    /// <param name="maxTokens">The maximum tokens per text (at least 1).</param>
    /// <param name="paddingId">The padding id, also the single token of a text that yields none.</param>
    /// <returns>The wrapper.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tokenizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or <paramref name="paddingId"/> is outside [0, vocabularySize).</exception>
    public static TextTokenizer FromTokenizer(Tokenizer tokenizer, int vocabularySize, int maxTokens = 128, int paddingId = 0)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabularySize);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(paddingId);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(paddingId, vocabularySize);
        return new TextTokenizer(tokenizer, TokenizerKind.Custom, maxTokens, vocabularySize, paddingId, null, false);
    }

    /// <summary>Encodes one text: special tokens added, truncated to <see cref="MaxTokens"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>Its token ids, never empty.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public int[] Encode(string text) => Encode(text, out _);

    /// <summary>Encodes one text: special tokens added, truncated to <see cref="MaxTokens"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="truncated">Whether the text had more tokens than <see cref="MaxTokens"/>.</param>
    /// <returns>Its token ids, never empty.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public int[] Encode(string text, out bool truncated)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Kind == TokenizerKind.Bert)
        {
            var body = ((BertTokenizer)Tokenizer).EncodeToIds(HuggingFaceBasicTokenization ? BertBasicText.Clean(text) : text, addSpecialTokens: false);
            var keep = Math.Min(body.Count, MaxTokens - 2);
            truncated = body.Count > keep;
            var ids = new int[keep + 2];
            ids[0] = clsId;
            for (var i = 0; i < keep; i++)
            {
                ids[i + 1] = body[i];
            }

            ids[keep + 1] = sepId;
            return ids;
        }

        var all = Tokenizer.EncodeToIds(text);
        if (all.Count == 0)
        {
            truncated = false;
            return [emptyTextId];
        }

        truncated = all.Count > MaxTokens;
        return all.Take(MaxTokens).ToArray();
    }

    /// <summary>Encodes a batch of texts.</summary>
    /// <param name="texts">The texts.</param>
    /// <returns>The ids of each text and how many texts were truncated.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">A text is null: the message gives its position.</exception>
    public TokenizedTexts EncodeBatch(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var sequences = new int[texts.Count][];
        var truncated = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            var text = texts[i] ?? throw new ArgumentException($"Text {i} is null; expected a string (use \"\" for an empty text).", nameof(texts));
            sequences[i] = Encode(text, out var cut);
            truncated += cut ? 1 : 0;
        }

        return new TokenizedTexts(sequences, truncated);
    }

    /// <summary>Whether <paramref name="other"/> turns every text into the same ids (the length limit aside): the same
    /// built-in tokenizer, or the same BERT vocabulary with the same lower-casing and splitting.</summary>
    internal bool SplitsLike(TextTokenizer other) =>
        Kind == other.Kind && Kind != TokenizerKind.Custom
        && (Kind != TokenizerKind.Bert || (LowerCase == other.LowerCase && HuggingFaceBasicTokenization == other.HuggingFaceBasicTokenization && bertTokens!.SequenceEqual(other.bertTokens!)));

    /// <summary>Describes the tokenizer in words (for errors).</summary>
    internal string Describe() => Kind switch
    {
        TokenizerKind.Bert => $"a BERT vocabulary of {VocabularySize} tokens{(LowerCase ? ", lower-cased" : string.Empty)}",
        TokenizerKind.Cl100kBase => Cl100kBaseName,
        _ => "a custom tokenizer",
    };

    /// <summary>Writes what is needed to rebuild this tokenizer without its original files.</summary>
    /// <param name="writer">The destination.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    /// <exception cref="NotSupportedException">The tokenizer is a user-supplied one (the message names its type).</exception>
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (Kind == TokenizerKind.Custom)
        {
            throw new NotSupportedException(
                $"A tokenizer of type '{Tokenizer.GetType().FullName}' supplied as an instance cannot be saved: create it with TextTokenizer.FromBertVocabulary or TextTokenizer.Cl100kBase to make the model persistable (in ContrastiveEmbeddingOptions: set VocabularyPath to the vocab.txt instead of Tokenizer, or leave both null for cl100k_base).");
        }

        writer.Write((byte)Kind);
        writer.Write(MaxTokens);
        if (Kind == TokenizerKind.Bert)
        {
            writer.Write(LowerCase);
            writer.Write(HuggingFaceBasicTokenization);
            writer.Write(bertTokens!.Length);
            foreach (var token in bertTokens)
            {
                writer.Write(token);
            }
        }
        else
        {
            writer.Write(Cl100kBaseName);
        }
    }

    /// <summary>Reads a tokenizer written by <see cref="Save"/>.</summary>
    /// <param name="reader">The source.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    /// <exception cref="InvalidDataException">The data is not a saved tokenizer.</exception>
    /// <exception cref="EndOfStreamException">The data ends early.</exception>
    public static TextTokenizer Read(BinaryReader reader) => Read(reader, hasBasicTokenizationFlag: true);

    /// <summary>Reads a tokenizer; <paramref name="hasBasicTokenizationFlag"/> is false for models saved in format 1 (before the flag).</summary>
    internal static TextTokenizer Read(BinaryReader reader, bool hasBasicTokenizationFlag)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var kind = (TokenizerKind)reader.ReadByte();
        var maxTokens = reader.ReadInt32();
        switch (kind)
        {
            case TokenizerKind.Bert:
                var lowerCase = reader.ReadBoolean();
                var huggingFaceBasic = hasBasicTokenizationFlag && reader.ReadBoolean();
                var count = reader.ReadInt32();
                if (count <= 0 || maxTokens < 2)
                {
                    throw new InvalidDataException($"Saved BERT tokenizer: invalid token count {count} or maximum {maxTokens}.");
                }

                var tokens = new string[count];
                for (var i = 0; i < count; i++)
                {
                    tokens[i] = reader.ReadString();
                }

                try
                {
                    using var text = new StreamReader(BertVocabulary.ToStream(tokens));
                    return FromBertTokens(BertVocabulary.Read(text, "saved model", nameof(reader)), lowerCase, maxTokens, huggingFaceBasic);
                }
                catch (ArgumentException e)
                {
                    throw new InvalidDataException($"Saved BERT tokenizer is invalid: {e.Message}", e);
                }

            case TokenizerKind.Cl100kBase:
                var name = reader.ReadString();
                if (name != Cl100kBaseName || maxTokens < 1)
                {
                    throw new InvalidDataException($"Saved tiktoken tokenizer: unknown encoding '{name}' or invalid maximum {maxTokens}.");
                }

                return Cl100kBase(maxTokens);
            default:
                throw new InvalidDataException($"Saved tokenizer: unknown kind {(byte)kind}.");
        }
    }

    private static TextTokenizer FromBertTokens(string[] tokens, bool lowerCase, int maxTokens, bool huggingFaceBasic = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 2);
        using var stream = BertVocabulary.ToStream(tokens);

        // Hugging Face's BasicTokenizer: split on white space and punctuation, each CJK ideograph a word; uncased
        // models lower-case and strip accents (NFD, drop non-spacing marks). Control characters: BertBasicText.Clean.
        var bert = BertTokenizer.Create(stream, new BertOptions
        {
            LowerCaseBeforeTokenization = lowerCase,
            RemoveNonSpacingMarks = lowerCase && huggingFaceBasic,
            IndividuallyTokenizeCjk = true,
            ApplyBasicTokenization = true,
        });
        return new TextTokenizer(bert, TokenizerKind.Bert, maxTokens, tokens.Length, bert.PaddingTokenId, tokens, lowerCase, huggingFaceBasic);
    }
}
