using ExampleData;

namespace MLNet.Contrastive.Tests.Examples;

[TestClass]
public sealed class TsvPairsReaderTests
{
    private static string WriteTemp(string content)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlnet-contrastive-{Guid.NewGuid():N}.tsv");
        File.WriteAllText(path, content);
        return path;
    }

    [TestMethod]
    public void Read_HeaderNegativesAndRepeatedAnchors()
    {
        string path = WriteTemp("anchor\tpositive\tnegative\nhow to sort\tArray.Sort\tArray.Reverse\n\nhow to sort\tList.Sort\r\nclear a list\tList.Clear\n");
        try
        {
            var pairs = TsvPairsReader.Read(path);

            Assert.AreEqual(3, pairs.Count, "header and blank line skipped");
            Assert.AreEqual("how to sort", pairs[0].Anchor);
            Assert.AreEqual("Array.Sort", pairs[0].Positive);
            CollectionAssert.AreEqual(new[] { "Array.Reverse" }, pairs[0].Negatives.ToArray());
            Assert.AreEqual("List.Sort", pairs[1].Positive, "the \\r of a CRLF line is not part of the field");
            Assert.AreEqual(0, pairs[1].Negatives.Count);
            Assert.AreEqual(pairs[0].Group, pairs[1].Group, "same anchor, same group");
            Assert.AreNotEqual(pairs[0].Group, pairs[2].Group);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Read_NoHeaderDetected_KeepsFirstRow()
    {
        string path = WriteTemp("first anchor\tfirst positive\n");
        try
        {
            Assert.AreEqual("first anchor", TsvPairsReader.Read(path).Single().Anchor);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Read_RowWithOneField_ErrorGivesFileAndLine()
    {
        string path = WriteTemp("a\tb\nonly one field\n");
        try
        {
            var error = Assert.ThrowsExactly<InvalidDataException>(() => TsvPairsReader.Read(path, hasHeader: false));
            StringAssert.Contains(error.Message, $"{path}(2)");
            StringAssert.Contains(error.Message, "found 1");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Read_EmptyPositive_ErrorNamesTheField()
    {
        string path = WriteTemp("a\tb\nc\t \n");
        try
        {
            var error = Assert.ThrowsExactly<InvalidDataException>(() => TsvPairsReader.Read(path));
            StringAssert.Contains(error.Message, $"{path}(2)");
            StringAssert.Contains(error.Message, "positive");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
