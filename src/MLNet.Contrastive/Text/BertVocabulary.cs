using System.Text;

namespace MLNet.Contrastive.Text;

/// <summary>A validated WordPiece vocabulary (one token per line, the line index is the id), as in BERT's vocab.txt.</summary>
internal static class BertVocabulary
{
    /// <summary>The special tokens a BERT vocabulary must hold.</summary>
    internal static readonly string[] RequiredTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

    /// <summary>Reads and validates the tokens of a vocabulary.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="source">The file name (or a description of the stream) for error messages.</param>
    /// <param name="paramName">The parameter to name in errors.</param>
    /// <returns>The tokens, in id order.</returns>
    /// <exception cref="ArgumentException">The vocabulary is empty, has an empty line, a duplicate token, or lacks a special token.</exception>
    internal static string[] Read(TextReader reader, string source, string paramName)
    {
        var tokens = new List<string>();
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            var lineNumber = tokens.Count + 1;
            var token = line.TrimEnd('\r');
            if (token.Length == 0 || token.Trim().Length != token.Length)
            {
                throw new ArgumentException(
                    $"Vocabulary '{source}' line {lineNumber}: expected one token per line without surrounding white space, found '{token}'.",
                    paramName);
            }

            if (!firstLine.TryAdd(token, lineNumber))
            {
                throw new ArgumentException(
                    $"Vocabulary '{source}' line {lineNumber}: duplicate token '{token}' (first at line {firstLine[token]}).",
                    paramName);
            }

            tokens.Add(token);
        }

        if (tokens.Count == 0)
        {
            throw new ArgumentException($"Vocabulary '{source}' line 1: the vocabulary is empty.", paramName);
        }

        var missing = RequiredTokens.Where(t => !firstLine.ContainsKey(t)).ToArray();
        if (missing.Length > 0)
        {
            throw new ArgumentException(
                $"Vocabulary '{source}' (line {tokens.Count + 1}, end of file): missing the special token(s) {string.Join(", ", missing)}; a BERT vocabulary needs {string.Join(", ", RequiredTokens)}.",
                paramName);
        }

        return tokens.ToArray();
    }

    /// <summary>Writes tokens as a vocab.txt stream, one per line.</summary>
    /// <param name="tokens">The tokens.</param>
    /// <returns>A readable stream positioned at its start.</returns>
    internal static MemoryStream ToStream(IReadOnlyList<string> tokens)
    {
        var text = new StringBuilder();
        foreach (var token in tokens)
        {
            text.Append(token).Append('\n');
        }

        return new MemoryStream(new UTF8Encoding(false).GetBytes(text.ToString()), writable: false);
    }
}
