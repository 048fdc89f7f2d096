using MLNet.Contrastive;
using MLNet.Contrastive.Encoders;
using TorchSharp;

/// <summary>The <c>--openmp</c> mode: what a fresh process that first touches the library through an encoder sees.</summary>
internal static class OpenMpCheck
{
    internal static int Run()
    {
        using var encoder = new StaticEncoder(new StaticShape { VocabularySize = 8, EmbeddingSize = 4, Seed = 1 });
        using var a = torch.ones(256, 256);
        using var b = torch.mm(a, a).sum();
        Console.WriteLine($"OMP_WAIT_POLICY={TorchRuntime.OpenMpWaitPolicy ?? "<unset>"}");
        Console.WriteLine($"GOMP_SPINCOUNT={TorchRuntime.OpenMpSpinCount ?? "<unset>"}");
        Console.WriteLine($"IntraOpThreads={TorchRuntime.IntraOpThreads}");
        Console.WriteLine($"Sum={b.item<float>()}");
        return 0;
    }
}
