using System.Globalization;
using System.Text;

namespace MLNet.Contrastive.Text;

/// <summary>
/// The text cleaning of Hugging Face's BERT BasicTokenizer (<c>_clean_text</c>), applied before WordPiece: NUL, U+FFFD
/// and every control or format character (Unicode categories C*, except tab, line feed and carriage return) are
/// removed; white space (space, tab, line feed, carriage return, category Zs) becomes a space.
/// </summary>
internal static class BertBasicText
{
    /// <summary>Cleans a text as Hugging Face's BasicTokenizer does.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The cleaned text (the same instance when nothing changes).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    internal static string Clean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!NeedsCleaning(text))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsWhiteSpace(rune))
            {
                result.Append(' ');
            }
            else if (!IsRemoved(rune))
            {
                result.Append(rune.ToString());
            }
        }

        return result.ToString();
    }

    private static bool NeedsCleaning(string text)
    {
        foreach (var c in text)
        {
            if (c < 0x20 || c > 0x7E)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsWhiteSpace(Rune rune) =>
        rune.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(rune) == UnicodeCategory.SpaceSeparator;

    // An invalid UTF-16 sequence enumerates as U+FFFD, which is removed too (a lone surrogate is category Cs in Python).
    private static bool IsRemoved(Rune rune) =>
        rune.Value is 0 or 0xFFFD
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
}
