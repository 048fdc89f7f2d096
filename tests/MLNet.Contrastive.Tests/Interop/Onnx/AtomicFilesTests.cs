using MLNet.Contrastive.Interop.Onnx;

namespace MLNet.Contrastive.Tests.Interop.Onnx;

[TestClass]
public sealed class AtomicFilesTests
{
    [TestMethod]
    public void Write_FailureWhileWriting_NoTargetTouched_NoTemporaryLeft()
    {
        var directory = Directory.CreateTempSubdirectory("atomic-").FullName;
        try
        {
            var first = Path.Combine(directory, "vocab.txt");
            var second = Path.Combine(directory, "model.onnx");
            File.WriteAllText(second, "previous model");
            var error = Assert.ThrowsExactly<IOException>(() => AtomicFiles.Write(
            [
                (first, stream => stream.Write("new vocabulary"u8)),
                (second, stream =>
                {
                    stream.Write("half a mod"u8);
                    throw new IOException("disk full");
                }),
            ]));
            Assert.AreEqual("disk full", error.Message);
            Assert.IsFalse(File.Exists(first), "the first file is only moved into place once every file is written");
            Assert.AreEqual("previous model", File.ReadAllText(second));
            CollectionAssert.AreEqual(new[] { "model.onnx" }, Directory.GetFiles(directory).Select(Path.GetFileName).ToArray());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
