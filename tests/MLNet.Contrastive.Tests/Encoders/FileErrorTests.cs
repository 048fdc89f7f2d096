using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Interop.HuggingFace;
using MLNet.Contrastive.Text;

namespace MLNet.Contrastive.Tests.Encoders;

[TestClass]
public sealed class FileErrorTests
{
    private static string TempPath(string name)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"file-errors-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, name);
    }

    [TestMethod]
    public void ReadConfig_NotJson_NamesTheFile()
    {
        var path = TempPath("config.json");
        File.WriteAllText(path, "this is { not json");

        var e = Assert.ThrowsExactly<InvalidDataException>(() => BertCheckpoint.ReadConfig(path));

        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "not valid JSON");
    }

    [TestMethod]
    public void LoadWeights_TruncatedSafetensors_NamesTheFile()
    {
        var path = TempPath("model.safetensors");
        File.WriteAllBytes(path, new byte[] { 1, 2, 3 });
        using var encoder = new TransformerEncoder(TinyEncoders.Transformer());

        var e = Assert.ThrowsExactly<InvalidDataException>(() => BertCheckpoint.LoadWeights(encoder, path));

        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "truncated");
    }

    [TestMethod]
    public void FromBertVocabulary_PathIsADirectory_SaysSo()
    {
        var directory = Path.GetDirectoryName(TempPath("x"))!;

        var e = Assert.ThrowsExactly<ArgumentException>(() => TextTokenizer.FromBertVocabulary(directory));

        StringAssert.Contains(e.Message, directory);
        StringAssert.Contains(e.Message, "is a directory");
    }
}
