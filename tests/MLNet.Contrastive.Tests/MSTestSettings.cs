// Tests run one at a time: TorchSharp's RNG and thread settings are process-global.
[assembly: DoNotParallelize]

namespace MLNet.Contrastive.Tests;

/// <summary>Runs once before any test of this assembly.</summary>
[TestClass]
public static class AssemblySetup
{
    /// <summary>
    /// Some tests call TorchSharp before any type of the library: loading the library first puts its OpenMP spin
    /// limit into the native environment before libgomp loads, as in an application that uses the library first.
    /// </summary>
    /// <param name="context">The test context (unused).</param>
    [AssemblyInitialize]
    public static void LoadTorchWithTheLibrarysPolicy(TestContext context)
    {
        _ = context;
        TorchRuntime.EnsureLoaded();
    }
}
