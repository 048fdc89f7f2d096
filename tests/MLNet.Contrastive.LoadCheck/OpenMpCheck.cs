using MLNet.Contrastive;
using MLNet.Contrastive.Losses;
using TorchSharp;

/// <summary>The <c>--openmp</c> mode: what a fresh process that first touches the library through a TorchSharp module of its
/// own (a learnable temperature, whose parameter is a tensor) sees.</summary>
internal static class OpenMpCheck
{
    internal static int Run()
    {
        using var temperature = Temperature.Learnable(0.07);
        using var a = torch.ones(256, 256);
        using var b = torch.mm(a, a).sum();
        Console.WriteLine($"OMP_WAIT_POLICY={TorchRuntime.OpenMpWaitPolicy ?? "<unset>"}");
        Console.WriteLine($"GOMP_SPINCOUNT={TorchRuntime.OpenMpSpinCount ?? "<unset>"}");
        Console.WriteLine($"IntraOpThreads={TorchRuntime.IntraOpThreads}");
        Console.WriteLine($"Sum={b.item<float>()}");
        return 0;
    }
}
