using MLNet.Contrastive.Text;

namespace MLNet.Contrastive.Tests.Text;

[TestClass]
public sealed class VocabularyMapTests
{
    [TestMethod]
    public void Map_SeenIdsCompactAscending_UnseenToUnseenRow()
    {
        var map = VocabularyMap.Build([[100257, 42], [7, 42]]);
        Assert.AreEqual(4, map.Count, "three distinct ids plus the unseen row");
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 0, 0 }, map.Map([7, 42, 100257, 8, 99999]));
        Assert.IsFalse(map.Contains(8));
    }

    [TestMethod]
    public void Build_FromTexts_UsesTokenizerIds()
    {
        var tokenizer = TextTokenizer.Cl100kBase();
        var map = VocabularyMap.Build(tokenizer, ["hello world"]);
        var ids = tokenizer.Encode("hello world");
        Assert.AreEqual(ids.Distinct().Count() + 1, map.Count);
        Assert.IsTrue(map.Map(ids).All(id => id > 0));
        Assert.AreEqual(map.UnseenId, map.Map(tokenizer.Encode(" zebra"))[0]);
    }

    [TestMethod]
    public void SaveRead_RoundTrip_SameMapping()
    {
        var map = VocabularyMap.Build([[5, 3, 900], [3, 12]]);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            map.Save(writer);
        }

        stream.Position = 0;
        var copy = VocabularyMap.Read(new BinaryReader(stream));
        var probe = Enumerable.Range(0, 1000).ToArray();
        CollectionAssert.AreEqual(map.Map(probe), copy.Map(probe));
        Assert.AreEqual(map.Count, copy.Count);
    }
}
