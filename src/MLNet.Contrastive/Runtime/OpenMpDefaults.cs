using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MLNet.Contrastive.Runtime;

/// <summary>
/// Puts the library's OpenMP spin limit into the native environment before libtorch loads. libtorch on Linux uses GNU
/// OpenMP (libgomp), which reads <c>OMP_WAIT_POLICY</c>, <c>GOMP_SPINCOUNT</c> and <c>OMP_NUM_THREADS</c> once, when it
/// is loaded; by default its idle threads spin for 300,000 iterations after every parallel region, which on cores
/// shared with other work burns most of a training run. <c>GOMP_SPINCOUNT=10000</c> kept the idle-machine speed of
/// spinning and most of the shared-machine speed of <c>OMP_WAIT_POLICY=PASSIVE</c> (docs/performance.md). .NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes only .NET's copy of the environment on Linux,
/// so the variables are set with libc's <c>setenv</c>.
/// </summary>
/// <remarks>
/// Runs from the module initializer, that is before any code of this library runs, so every path of the library that
/// reaches libtorch (models, encoders, losses, the trainer) sees the setting. A program that calls TorchSharp before it
/// touches this library loads libgomp without it and must set the variable itself.
/// </remarks>
internal static class OpenMpDefaults
{
    /// <summary>The wait-policy variable of OpenMP.</summary>
    internal const string WaitPolicyVariable = "OMP_WAIT_POLICY";

    /// <summary>libgomp's spin-count variable; it overrides the wait policy, so a user who sets it keeps it.</summary>
    internal const string SpinCountVariable = "GOMP_SPINCOUNT";

    /// <summary>The thread-count variable of OpenMP.</summary>
    internal const string ThreadsVariable = "OMP_NUM_THREADS";

    /// <summary>The spin count applied when the user set neither variable: idle OpenMP threads spin briefly, then sleep.</summary>
    internal const string DefaultSpinCount = "10000";

    private static readonly object Gate = new();
    // Process-wide by nature: libgomp reads its variables once, when it loads, so they are set once, before.
    private static bool done;

    /// <summary>Gets the spin count this library put into the environment, or <see langword="null"/> when it left the environment alone.</summary>
    internal static string? AppliedSpinCount { get; private set; }

#pragma warning disable CA2255 // A library module initializer: the variable must be in the native environment before libtorch is loaded, and any type of this library may be the first to load it.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => Apply();

    /// <summary>Sets <c>GOMP_SPINCOUNT=10000</c> natively unless the user set <c>OMP_WAIT_POLICY</c> or <c>GOMP_SPINCOUNT</c>; idempotent.</summary>
    /// <remarks>A value the user set through .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/> is
    /// copied into the native environment, so it reaches libgomp too.</remarks>
    internal static void Apply()
    {
        lock (Gate)
        {
            if (done)
            {
                return;
            }

            done = true;
            if (!OperatingSystem.IsLinux())
            {
                // libgomp is libtorch's OpenMP runtime on Linux only (macOS and Windows builds use LLVM's or Intel's, which
                // ignore GOMP_SPINCOUNT), and SetEnvironmentVariable reaches the process environment on Windows.
                return;
            }

            try
            {
                var userSpinCount = Environment.GetEnvironmentVariable(SpinCountVariable);
                var userPolicy = Environment.GetEnvironmentVariable(WaitPolicyVariable);
                CopyToNative(SpinCountVariable, userSpinCount);
                CopyToNative(WaitPolicyVariable, userPolicy);
                if (userPolicy is null && userSpinCount is null)
                {
                    if (SetNative(SpinCountVariable, DefaultSpinCount, overwrite: false) == 0)
                    {
                        Environment.SetEnvironmentVariable(SpinCountVariable, DefaultSpinCount);
                        AppliedSpinCount = DefaultSpinCount;
                    }
                }

                CopyToNative(ThreadsVariable, Environment.GetEnvironmentVariable(ThreadsVariable));
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                // No libc setenv (an unusual runtime): libtorch keeps its own defaults.
            }
        }
    }

    /// <summary>Reads a variable from the native environment (what libgomp sees), for tests and diagnostics.</summary>
    internal static string? GetNative(string name)
    {
        var value = GetEnv(name);
        return value == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(value);
    }

    private static void CopyToNative(string name, string? dotnetValue)
    {
        if (dotnetValue is not null && GetNative(name) != dotnetValue)
        {
            _ = SetNative(name, dotnetValue, overwrite: true);
        }
    }

    private static int SetNative(string name, string value, bool overwrite) => SetEnv(name, value, overwrite ? 1 : 0);

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int SetEnv(string name, string value, int overwrite);

    [DllImport("libc", EntryPoint = "getenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern IntPtr GetEnv(string name);
}
