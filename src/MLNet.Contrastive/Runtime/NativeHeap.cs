using System.Runtime.InteropServices;

namespace MLNet.Contrastive.Runtime;

/// <summary>
/// Returns freed native heap memory to the operating system (glibc's <c>malloc_trim</c>). libtorch allocates CPU
/// activations with malloc; after the first large frees glibc serves such blocks from a heap that fragments, so the
/// resident memory of a long gradient-cached step grows with the number of chunks although the live tensors do not.
/// Trimming after each chunk keeps the peak close to one chunk's. A no-op where glibc is absent.
/// </summary>
internal static class NativeHeap
{
    // Whether malloc_trim is missing (not glibc): found out once, then every call returns at once.
    private static bool unavailable = !OperatingSystem.IsLinux();

    /// <summary>Releases free heap pages; returns silently where <c>malloc_trim</c> does not exist.</summary>
    internal static void Trim()
    {
        if (unavailable)
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            unavailable = true;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
