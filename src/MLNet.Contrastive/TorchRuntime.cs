using MLNet.Contrastive.Runtime;
using TorchSharp;

namespace MLNet.Contrastive;

/// <summary>
/// Checks once that TorchSharp's native libraries load, and turns a failure into advice; controls libtorch's threads.
/// </summary>
/// <remarks>
/// Before libtorch loads, this library sets <c>GOMP_SPINCOUNT=10000</c> in the native environment on Linux unless
/// <c>OMP_WAIT_POLICY</c> or <c>GOMP_SPINCOUNT</c> is already set (docs/performance.md explains why and what it costs).
/// A program that calls TorchSharp before it uses any type of this library must set the variable itself.
/// </remarks>
public static class TorchRuntime
{
    private static readonly Lazy<Exception?> LoadFailure = new(TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Makes sure libtorch is loaded; call before the first tensor operation.</summary>
    /// <exception cref="InvalidOperationException">The native libraries could not be loaded; the message says why and what to do.</exception>
    public static void EnsureLoaded()
    {
        OpenMpDefaults.Apply();
        if (LoadFailure.Value is { } failure)
        {
            throw new InvalidOperationException(
                "TorchSharp's native libraries could not be loaded. " +
                "On Linux with a libstdc++ older than GCC 13's (Debian 12, Ubuntu 22.04) TorchSharp 0.107 reports this as a missing " +
                "'libtorch-cpu-linux-x64' reference; the real cause is the symbol version GLIBCXX_3.4.32. MLNet.Contrastive's build step " +
                "fixes the copy of libLibTorchSharp.so in your build and publish output: make sure the package's build targets ran " +
                "(they do unless -p:MLNetContrastiveSkipGlibcxxFix=true) and that the application runs from that output. " +
                "Otherwise install libstdc++ from GCC 13 or newer, or check that a libtorch backend package is referenced " +
                "(-p:TorchBackend=linux-cpu|cpu|cuda-linux). See docs/linux-libstdcxx.md. Inner error: " + failure.Message,
                failure);
        }
    }

    /// <summary>
    /// Gets <c>OMP_WAIT_POLICY</c> as the native environment holds it (what libtorch's OpenMP runtime reads when it
    /// loads), or <see langword="null"/> when it is not set.
    /// </summary>
    public static string? OpenMpWaitPolicy => ReadVariable(OpenMpDefaults.WaitPolicyVariable);

    /// <summary>
    /// Gets <c>GOMP_SPINCOUNT</c> as the native environment holds it: <c>10000</c> on Linux unless the user set it or
    /// <c>OMP_WAIT_POLICY</c>; <see langword="null"/> when it is not set.
    /// </summary>
    public static string? OpenMpSpinCount => ReadVariable(OpenMpDefaults.SpinCountVariable);

    /// <summary>Gets the number of threads libtorch uses inside one operation (its intra-op pool, process-wide).</summary>
    /// <exception cref="InvalidOperationException">libtorch cannot be loaded.</exception>
    public static int IntraOpThreads
    {
        get
        {
            EnsureLoaded();
            return torch.get_num_threads();
        }
    }

    /// <summary>
    /// Sets the number of threads libtorch uses inside one operation. The pool is process-wide: the setting applies
    /// to every model and trainer in the process until it is set again. libtorch's default is the number of physical cores.
    /// </summary>
    /// <param name="threads">The number of threads, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is zero or negative.</exception>
    /// <exception cref="InvalidOperationException">libtorch cannot be loaded.</exception>
    public static void SetIntraOpThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        EnsureLoaded();
        if (torch.get_num_threads() != threads)
        {
            torch.set_num_threads(threads);
        }
    }

    private static string? ReadVariable(string name) => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()
        ? OpenMpDefaults.GetNative(name)
        : Environment.GetEnvironmentVariable(name);

    private static Exception? TryLoad()
    {
        try
        {
            ApplyRuntimeFix();
            torch.InitializeDeviceType(DeviceType.CPU);
            return null;
        }
        catch (Exception ex) when (ex is NotSupportedException or DllNotFoundException or TypeInitializationException or BadImageFormatException)
        {
            return ex;
        }
    }

    // Where no build step fixed libLibTorchSharp.so (a notebook kernel on Debian 12): see LibTorchSharpRuntimeFix.
    private static void ApplyRuntimeFix()
    {
        try
        {
            LibTorchSharpRuntimeFix.ApplyIfNeeded();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or DllNotFoundException or BadImageFormatException)
        {
            // The normal load below runs anyway and reports the failure with advice.
        }
    }
}
