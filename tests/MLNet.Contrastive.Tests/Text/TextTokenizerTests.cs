using Microsoft.ML.Tokenizers;
using MLNet.Contrastive.Text;

namespace MLNet.Contrastive.Tests.Text;

[TestClass]
public sealed class TextTokenizerTests
{
    private static int Id(string token) => TestVocabulary.Id(token);

    private static TextTokenizer Bert(int maxTokens = 16)
    {
        var path = TestVocabulary.WriteFile();
        return TextTokenizer.FromBertVocabulary(path, lowerCase: true, maxTokens);
    }

    [TestMethod]
    public void Encode_Bert_AddsClsAndSepAndSplitsWordPieces()
    {
        var ids = Bert().Encode("The cats sat");
        CollectionAssert.AreEqual(new[] { Id("[CLS]"), Id("the"), Id("cat"), Id("##s"), Id("sat"), Id("[SEP]") }, ids);
    }

    [TestMethod]
    public void Encode_UnknownWord_GivesUnk()
    {
        CollectionAssert.AreEqual(new[] { Id("[CLS]"), Id("[UNK]"), Id("[SEP]") }, Bert().Encode("zebra"));
    }

    [TestMethod]
    public void Encode_EmptyText_GivesClsSep()
    {
        CollectionAssert.AreEqual(new[] { Id("[CLS]"), Id("[SEP]") }, Bert().Encode(string.Empty));
    }

    [TestMethod]
    public void EncodeBatch_LongTexts_TruncatesToMaxIncludingSpecialTokensAndCounts()
    {
        var result = Bert(maxTokens: 4).EncodeBatch(["the cat sat on", "the cat", "a big red dog"]);
        CollectionAssert.AreEqual(new[] { Id("[CLS]"), Id("the"), Id("cat"), Id("[SEP]") }, result.Sequences[0]);
        CollectionAssert.AreEqual(new[] { Id("[CLS]"), Id("the"), Id("cat"), Id("[SEP]") }, result.Sequences[1]);
        CollectionAssert.AreEqual(new[] { Id("[CLS]"), Id("a"), Id("big"), Id("[SEP]") }, result.Sequences[2]);
        Assert.AreEqual(2, result.TruncatedCount, "'the cat' fits exactly in 4 tokens; the other two do not");
    }

    [TestMethod]
    public void EncodeBatch_NullText_ErrorNamesPosition()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Bert().EncodeBatch(["the", null!, "cat"]));
        StringAssert.Contains(error.Message, "Text 1");
        Assert.AreEqual("texts", error.ParamName);
    }

    [TestMethod]
    public void Collate_EncodedTexts_MasksPadding()
    {
        var tokenizer = Bert();
        var sequences = tokenizer.EncodeBatch(["the cat sat", "dog"]).Sequences;
        using var batch = TokenBatch.Collate(sequences, tokenizer.PaddingId);
        CollectionAssert.AreEqual(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 }, batch.AttentionMask.data<long>().ToArray());
        long[] expected = [Id("[CLS]"), Id("the"), Id("cat"), Id("sat"), Id("[SEP]"), Id("[CLS]"), Id("dog"), Id("[SEP]"), Id("[PAD]"), Id("[PAD]")];
        CollectionAssert.AreEqual(expected, batch.InputIds.data<long>().ToArray());
    }

    [TestMethod]
    public void FromBertVocabulary_MissingFile_NamesFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-vocab-file.txt");
        var error = Assert.ThrowsExactly<FileNotFoundException>(() => TextTokenizer.FromBertVocabulary(path));
        Assert.AreEqual(path, error.FileName);
        StringAssert.Contains(error.Message, path);
    }

    [TestMethod]
    public void FromBertVocabulary_DuplicateToken_NamesFileAndLine()
    {
        var path = TestVocabulary.WriteFile(TestVocabulary.Tokens.Append("cat"));
        var error = Assert.ThrowsExactly<ArgumentException>(() => TextTokenizer.FromBertVocabulary(path));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, "line 21");
        StringAssert.Contains(error.Message, "first at line 7");
    }

    [TestMethod]
    public void FromBertVocabulary_EmptyOrMissingSpecialToken_NamesFile()
    {
        var empty = TestVocabulary.WriteFile([]);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => TextTokenizer.FromBertVocabulary(empty)).Message, empty);
        var noSep = TestVocabulary.WriteFile(TestVocabulary.Tokens.Where(t => t != "[SEP]"));
        var error = Assert.ThrowsExactly<ArgumentException>(() => TextTokenizer.FromBertVocabulary(noSep));
        StringAssert.Contains(error.Message, noSep);
        StringAssert.Contains(error.Message, "[SEP]");
    }

    [TestMethod]
    public void SaveRead_Bert_RebuildsWithoutTheFile()
    {
        var path = TestVocabulary.WriteFile();
        var tokenizer = TextTokenizer.FromBertVocabulary(path, lowerCase: true, maxTokens: 5);
        File.Delete(path);
        var copy = RoundTrip(tokenizer);
        Assert.AreEqual(TokenizerKind.Bert, copy.Kind);
        Assert.AreEqual(5, copy.MaxTokens);
        CollectionAssert.AreEqual(tokenizer.Encode("Hello big world running."), copy.Encode("Hello big world running."));
    }

    [TestMethod]
    public void Cl100k_EmptyText_IsEndOfTextAndRoundTrips()
    {
        var tokenizer = TextTokenizer.Cl100kBase(maxTokens: 3);
        CollectionAssert.AreEqual(new[] { 100257 }, tokenizer.Encode(string.Empty));
        var ids = tokenizer.Encode("hello world, this is long", out var truncated);
        Assert.IsTrue(truncated);
        Assert.HasCount(3, ids);
        Assert.IsTrue(ids.All(id => id >= 0 && id < tokenizer.VocabularySize));
        CollectionAssert.AreEqual(ids, RoundTrip(tokenizer).Encode("hello world, this is long"));
    }

    [TestMethod]
    public void Save_CustomTokenizer_NotSupportedNamesType()
    {
        var inner = TiktokenTokenizer.CreateForEncoding("cl100k_base");
        var tokenizer = TextTokenizer.FromTokenizer(inner, vocabularySize: 100277);
        using var writer = new BinaryWriter(new MemoryStream());
        var error = Assert.ThrowsExactly<NotSupportedException>(() => tokenizer.Save(writer));
        StringAssert.Contains(error.Message, typeof(TiktokenTokenizer).FullName!);
    }

    private static TextTokenizer RoundTrip(TextTokenizer tokenizer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            tokenizer.Save(writer);
        }

        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        return TextTokenizer.Read(reader);
    }
}
