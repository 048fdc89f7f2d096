using ExampleData;

namespace MLNet.Contrastive.Tests.Examples;

[TestClass]
public sealed class StsBenchmarkReaderTests
{
    [TestMethod]
    public void Read_StsBenchmarkLines_ScoreAndBothSentences_ExtraColumnsIgnored()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mlnet-contrastive-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "main-captions\tMSRvid\t2012test\t0000\t2.500\tA girl is styling her hair.\t A girl is brushing her hair. \n" +
            "main-news\theadlines\t2013\t0001\t0.0\tOne.\tTwo.\tsource-a\tsource-b\n");
        try
        {
            var pairs = StsBenchmarkReader.Read(path);

            Assert.HasCount(2, pairs);
            Assert.AreEqual(new ScoredPair("A girl is styling her hair.", "A girl is brushing her hair.", 2.5), pairs[0]);
            Assert.AreEqual(new ScoredPair("One.", "Two.", 0.0), pairs[1]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Read_LineWithoutNumericScore_NamesFileAndLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mlnet-contrastive-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "g\tf\t2012\t0\t1.0\ta\tb\ng\tf\t2012\t1\thigh\ta\tb\n");
        try
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => StsBenchmarkReader.Read(path));
            StringAssert.Contains(e.Message, $"{path}, line 2");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Read_MissingFile_FileNotFoundNamingIt()
    {
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => StsBenchmarkReader.Read("/nonexistent/sts-test.csv"));
        Assert.AreEqual("/nonexistent/sts-test.csv", e.FileName);
    }
}
