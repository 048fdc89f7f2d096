using MLNet.Contrastive.Tests.Encoders;
using MLNet.Contrastive.Text;

namespace MLNet.Contrastive.Tests.Text;

/// <summary>
/// The BERT tokenizer against Hugging Face's uncased BertTokenizer on bert-base-uncased's real vocabulary (the one the
/// MiniLM package ships). Expected ids are the vocabulary lines of the tokens that Hugging Face's BasicTokenizer and
/// WordPiece produce: clean (drop control/format characters, unify white space), lower-case, NFD and drop non-spacing
/// marks, split on punctuation and around CJK ideographs, greedy longest-match WordPiece, [UNK] for a word that has no
/// piece or is longer than 100 characters.
/// </summary>
[TestClass]
public sealed class HuggingFaceTokenizationTests
{
    private static string[] vocabulary = [];
    private static TextTokenizer tokenizer = null!;

    [ClassInitialize]
    public static void LoadVocabulary(TestContext context)
    {
        _ = context;
        HuggingFaceTokenizationTests.vocabulary = PretrainedResources.VocabularyLines(PretrainedResources.MiniLM);
        HuggingFaceTokenizationTests.tokenizer = TextTokenizer.FromBertVocabulary(new MemoryStream(PretrainedResources.Vocabulary(PretrainedResources.MiniLM)), lowerCase: true, maxTokens: 512);
    }

    [TestMethod]
    [DataRow("Héllo, wörld! Café naïve résumé.", "hello , world ! cafe naive resume .")]
    [DataRow("e\u0301le\u0300ve İstanbul ÅNGSTRÖM", "el ##eve istanbul ang ##strom")]
    [DataRow("日本語のテキスト and 中文", "日 本 語 の ##テ ##キ ##ス ##ト and 中 文")]
    [DataRow("don't stop—believing… \"quoted\" (paren) [x] {y}", "don ' t stop — believing … \" quoted \" ( par ##en ) [ x ] { y }")]
    [DataRow("unaffable C#/.NET 3.14%", "una ##ffa ##ble c # / . net 3 . 14 %")]
    [DataRow("ＦＵＬＬwidth", "[UNK]")]
    [DataRow("tab\tand\nnew\r\nline\u00A0space\u3000wide", "tab and new line space wide")]
    [DataRow("[CLS] [MASK] special", "[CLS] [MASK] special")]
    public void Encode_TrickyText_MatchesHuggingFaceIds(string text, string expectedTokens)
    {
        var expected = expectedTokens.Split(' ').Select(Id).Prepend(Id("[CLS]")).Append(Id("[SEP]")).ToArray();
        CollectionAssert.AreEqual(expected, HuggingFaceTokenizationTests.tokenizer.Encode(text), string.Join(" ", HuggingFaceTokenizationTests.tokenizer.Encode(text).Select(i => HuggingFaceTokenizationTests.vocabulary[i])));
    }

    [TestMethod]
    public void Encode_ControlAndFormatCharacters_RemovedLikeHuggingFace()
    {
        // NUL, U+FFFD, the zero-width space (Cf), a C1 control and a private-use character vanish; the words join.
        var cleaned = HuggingFaceTokenizationTests.tokenizer.Encode("here\u0000ctrl\u200bzw\u0085x\uE000y\uFFFDz");
        CollectionAssert.AreEqual(HuggingFaceTokenizationTests.tokenizer.Encode("herectrlzwxyz"), cleaned);
        Assert.DoesNotContain(Id("[UNK]"), cleaned);
    }

    [TestMethod]
    public void Encode_WordLongerThan100Characters_IsUnknown()
    {
        var ids = HuggingFaceTokenizationTests.tokenizer.Encode(new string('a', 101) + " word");
        CollectionAssert.AreEqual(new[] { Id("[CLS]"), Id("[UNK]"), Id("word"), Id("[SEP]") }, ids);
    }

    [TestMethod]
    public void Encode_LongerThanMaxTokens_KeepsFirst510TokensAndEndsWithSep()
    {
        var ids = HuggingFaceTokenizationTests.tokenizer.Encode(string.Join(" ", Enumerable.Repeat("hello", 700)), out var truncated);
        Assert.IsTrue(truncated);
        Assert.HasCount(512, ids);
        Assert.AreEqual(Id("[CLS]"), ids[0]);
        Assert.AreEqual(Id("[SEP]"), ids[^1]);
        Assert.IsTrue(ids[1..^1].All(i => i == Id("hello")));
    }

    [TestMethod]
    public void Encode_Cased_KeepsCaseAndAccents()
    {
        var cased = TextTokenizer.FromBertVocabulary(new MemoryStream(PretrainedResources.Vocabulary(PretrainedResources.MiniLM)), lowerCase: false);
        Assert.IsFalse(cased.Encode("Héllo").Contains(Id("hello")), "a cased tokenizer neither lower-cases nor strips accents");
        Assert.IsTrue(cased.HuggingFaceBasicTokenization);
    }

    private static int Id(string token)
    {
        var id = Array.IndexOf(HuggingFaceTokenizationTests.vocabulary, token);
        Assert.IsGreaterThanOrEqualTo(0, id, $"'{token}' is not in the vocabulary");
        return id;
    }
}
