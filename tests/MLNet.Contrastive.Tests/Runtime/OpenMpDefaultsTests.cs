using System.Diagnostics;
using System.Reflection;
using MLNet.Contrastive.Runtime;

namespace MLNet.Contrastive.Tests.Runtime;

/// <summary>
/// The OpenMP spin limit must be in the native environment before libgomp loads, and libgomp reads it once: so it is
/// checked in fresh child processes (the load-check program's <c>--openmp</c> mode), where libgomp itself prints what
/// it read (<c>OMP_DISPLAY_ENV=VERBOSE</c>): <c>GOMP_SPINCOUNT</c> is 10000 with the library's default, 300000 with
/// libgomp's own (nothing set), 0 under PASSIVE and 3e10 under ACTIVE.
/// </summary>
[TestClass]
public sealed class OpenMpDefaultsTests
{
    [TestMethod]
    public void FreshProcess_NothingSet_LibgompReadsTheShortSpin()
    {
        var (stdout, stderr) = RunOpenMpCheck(new Dictionary<string, string?>());

        StringAssert.Contains(stdout, "OMP_WAIT_POLICY=<unset>");
        StringAssert.Contains(stdout, "GOMP_SPINCOUNT=10000");
        StringAssert.Contains(stderr, "GOMP_SPINCOUNT = '10000'");
    }

    [TestMethod]
    public void FreshProcess_UserSetPassive_KeepsItWithoutASpinCount()
    {
        var (stdout, stderr) = RunOpenMpCheck(new Dictionary<string, string?> { ["OMP_WAIT_POLICY"] = "PASSIVE" });

        StringAssert.Contains(stdout, "GOMP_SPINCOUNT=<unset>");
        StringAssert.Contains(stderr, "OMP_WAIT_POLICY = 'PASSIVE'");
        StringAssert.Contains(stderr, "GOMP_SPINCOUNT = '0'");
    }

    [TestMethod]
    public void FreshProcess_UserSetActive_KeepsTheUsersPolicy()
    {
        var (stdout, stderr) = RunOpenMpCheck(new Dictionary<string, string?> { ["OMP_WAIT_POLICY"] = "ACTIVE" });

        StringAssert.Contains(stdout, "OMP_WAIT_POLICY=ACTIVE");
        StringAssert.Contains(stdout, "GOMP_SPINCOUNT=<unset>");
        StringAssert.Contains(stderr, "OMP_WAIT_POLICY = 'ACTIVE'");
        StringAssert.Contains(stderr, "GOMP_SPINCOUNT = '30000000000'");
    }

    [TestMethod]
    public void FreshProcess_UserSetSpinCount_KeepsIt()
    {
        var (stdout, stderr) = RunOpenMpCheck(new Dictionary<string, string?> { ["GOMP_SPINCOUNT"] = "300000" });

        StringAssert.Contains(stdout, "OMP_WAIT_POLICY=<unset>");
        StringAssert.Contains(stdout, "GOMP_SPINCOUNT=300000");
        StringAssert.Contains(stderr, "GOMP_SPINCOUNT = '300000'");
    }

    [TestMethod]
    public void FreshProcess_UserSetThreads_LibtorchUsesThem()
    {
        var (stdout, stderr) = RunOpenMpCheck(new Dictionary<string, string?> { ["OMP_NUM_THREADS"] = "1" });

        StringAssert.Contains(stdout, "IntraOpThreads=1");
        StringAssert.Contains(stderr, "OMP_NUM_THREADS = '1'");
    }

    [TestMethod]
    public void TestHost_NativeEnvironment_HoldsTheSettingDotNetReports()
    {
        // This process loaded the library (and libtorch) long ago: whatever the runner set, the native copy that
        // libgomp read agrees with .NET's, and the spin count is 10000 unless the runner chose a policy or a spin count.
        TorchRuntime.EnsureLoaded();
        Assert.AreEqual(Environment.GetEnvironmentVariable("OMP_WAIT_POLICY"), TorchRuntime.OpenMpWaitPolicy);
        Assert.AreEqual(Environment.GetEnvironmentVariable("GOMP_SPINCOUNT"), TorchRuntime.OpenMpSpinCount);
        if (OpenMpDefaults.AppliedSpinCount is not null)
        {
            Assert.AreEqual("10000", TorchRuntime.OpenMpSpinCount);
        }
    }

    [TestMethod]
    public void SetIntraOpThreads_ChangesLibtorchsPool_AndRejectsZero()
    {
        var before = TorchRuntime.IntraOpThreads;
        try
        {
            TorchRuntime.SetIntraOpThreads(1);
            Assert.AreEqual(1, TorchRuntime.IntraOpThreads);
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TorchRuntime.SetIntraOpThreads(0));
        }
        finally
        {
            TorchRuntime.SetIntraOpThreads(before);
        }
    }

    private static (string Stdout, string Stderr) RunOpenMpCheck(Dictionary<string, string?> environment)
    {
        var loadCheck = typeof(OpenMpDefaultsTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "LoadCheckPath").Value!;
        Assert.IsTrue(File.Exists(loadCheck), $"the load check program was not built: {loadCheck}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(loadCheck);
        start.ArgumentList.Add("--openmp");

        // This test host's own environment holds the spin count the library set here; the child must start clean.
        foreach (var name in new[] { "OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["OMP_DISPLAY_ENV"] = "VERBOSE";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(60_000), "the OpenMP check did not finish in 60 s");
        Assert.AreEqual(0, process.ExitCode, $"OpenMP check failed:\n{stdout.Result}\n{stderr}");
        return (stdout.Result, stderr);
    }
}
