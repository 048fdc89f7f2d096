using System.Runtime.InteropServices;

namespace MLNet.Contrastive.Training.Distributed;

/// <summary>
/// Points MPI.NET's P/Invokes (which name MS-MPI's <c>msmpi.dll</c>) at an MPI library of the same ABI: MPICH's
/// <c>libmpich.so.12</c> by default on Linux, or the library named by <c>MLNET_CONTRASTIVE_MPI_LIBRARY</c> (Intel MPI's
/// <c>libmpi.so.12</c>, Cray MPICH, ...).
/// </summary>
internal static class MpiLibrary
{
    /// <summary>The environment variable that names the MPI library to load.</summary>
    public const string LibraryVariable = "MLNET_CONTRASTIVE_MPI_LIBRARY";

    private static readonly object Gate = new();
    // Process-wide by nature: MPI.NET's assembly takes one DllImport resolver, set once.
    private static string? installed;

    /// <summary>Gets the library loaded when none is named: <c>msmpi.dll</c> on Windows, MPICH elsewhere.</summary>
    public static string DefaultName =>
        OperatingSystem.IsWindows() ? "msmpi.dll" : OperatingSystem.IsMacOS() ? "libmpich.12.dylib" : "libmpich.so.12";

    /// <summary>Loads the MPI library and routes MPI.NET to it; once per process (later calls must name the same library).</summary>
    /// <param name="libraryName">The library, or <see langword="null"/> for the variable's value or <see cref="DefaultName"/>.</param>
    /// <returns>The name of the library in use.</returns>
    /// <exception cref="InvalidOperationException">The library does not load (the message says what to install), or
    /// another library was installed before.</exception>
    public static string Install(string? libraryName)
    {
        var name = libraryName ?? (Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } fromVariable ? fromVariable : DefaultName);
        lock (Gate)
        {
            if (installed is not null)
            {
                return installed == name
                    ? installed
                    : throw new InvalidOperationException($"MPI is already bound to '{installed}' in this process; cannot switch to '{name}'.");
            }

            if (!NativeLibrary.TryLoad(name, typeof(MpiLibrary).Assembly, null, out var handle))
            {
                throw new InvalidOperationException(MissingLibraryMessage(name));
            }

            try
            {
                NativeLibrary.SetDllImportResolver(typeof(MPI.Environment).Assembly, (dll, _, _) =>
                    dll.Contains("msmpi", StringComparison.OrdinalIgnoreCase) ? handle : IntPtr.Zero);
            }
            catch (InvalidOperationException)
            {
                // The application routed MPI.NET itself (one resolver per assembly): keep its choice.
            }

            installed = name;
            return name;
        }
    }

    /// <summary>The error text when no MPI library loads.</summary>
    public static string MissingLibraryMessage(string name) =>
        $"Distributed training needs an MPI library of the MPICH ABI, but '{name}' could not be loaded. " +
        "Install MPICH (Debian/Ubuntu: apt-get install mpich; Fedora: dnf install mpich; it provides libmpich.so.12 and the launcher mpiexec.hydra), " +
        $"or name another MPICH-ABI library (Intel MPI: libmpi.so.12) in the environment variable {LibraryVariable}. " +
        "Open MPI has a different ABI and is not supported; see docs/distributed.md. " +
        "To train in one process instead, set Distributed = Off or run without an MPI launcher.";
}
