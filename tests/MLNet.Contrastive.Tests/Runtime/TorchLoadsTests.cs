using TorchSharp;

namespace MLNet.Contrastive.Tests.Runtime;

[TestClass]
public sealed class TorchLoadsTests
{
    [TestMethod]
    public void Torch_LoadsAndComputes_OnThisMachine()
    {
        using var a = torch.tensor(new float[] { 1f, 2f, 3f });
        using var b = (a * a).sum();
        Assert.AreEqual(14f, b.item<float>(), 0f);
    }
}
