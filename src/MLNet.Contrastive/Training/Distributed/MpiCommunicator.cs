namespace MLNet.Contrastive.Training.Distributed;

/// <summary>
/// The MPI world communicator, through MPI.NET (a binding of the MPI standard; never a home-made transport). MPI is
/// initialised on first use, once per process (thread level <c>MPI_THREAD_SERIALIZED</c>), and finalised at process exit.
/// </summary>
/// <remarks>MPI.NET binds MS-MPI's ABI, which is MPICH's: on Linux it is routed to <c>libmpich.so.12</c>, or to the
/// library named by the environment variable <c>MLNET_CONTRASTIVE_MPI_LIBRARY</c>. Open MPI has another ABI and is
/// refused with a clear error (see docs/distributed.md).</remarks>
internal sealed class MpiCommunicator : ICommunicator
{
    private static readonly object Gate = new();

    // Process-wide by nature, not a switch: MPI can be initialised once per process, so the world and the environment
    // are made on first use and live until the process exits.
    private static MpiCommunicator? world;
    private static MPI.Environment? environment;
    private readonly MPI.Intracommunicator communicator;

    private MpiCommunicator(MPI.Intracommunicator communicator, string library)
    {
        this.communicator = communicator;
        Library = library;
        Rank = communicator.Rank;
        Size = communicator.Size;
    }

    /// <summary>Gets the MPI library in use.</summary>
    public string Library { get; }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <summary>Initialises MPI (once per process) and returns the world communicator.</summary>
    /// <param name="libraryName">The MPI library to load, or <see langword="null"/> for <c>MLNET_CONTRASTIVE_MPI_LIBRARY</c>
    /// or the platform's default (<c>libmpich.so.12</c> on Linux).</param>
    /// <returns>The world communicator.</returns>
    /// <exception cref="NotSupportedException">The process was started by Open MPI's <c>mpirun</c>.</exception>
    /// <exception cref="InvalidOperationException">No MPI library loads, or MPI fails to initialise (the message says what to install).</exception>
    public static MpiCommunicator World(string? libraryName = null)
    {
        lock (Gate)
        {
            if (world is not null)
            {
                return world;
            }

            if (MpiLauncher.Kind == MpiLauncherKind.OpenMpi)
            {
                throw new NotSupportedException(
                    "This process was started by Open MPI's mpirun, whose ABI MPI.NET cannot bind. Launch with an MPICH-family launcher " +
                    "(MPICH: apt-get install mpich, then mpiexec.hydra -n N ...; or Intel MPI, or Slurm's srun --mpi=pmi2), or set Distributed = Off.");
            }

            var library = MpiLibrary.Install(libraryName);
            try
            {
                if (!MPI.Environment.Initialized)
                {
                    var args = Array.Empty<string>();
                    environment = new MPI.Environment(ref args, MPI.Threading.Serialized);
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => FinalizeMpi();
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                throw new InvalidOperationException(MpiLibrary.MissingLibraryMessage(library), e);
            }

            world = new MpiCommunicator(MPI.Communicator.world, library);
            return world;
        }
    }

    /// <inheritdoc/>
    public float[] AllGather(float[] local, int[] counts)
    {
        CommunicatorChecks.CheckGather(this, local, counts);
        var result = new float[counts.Sum(c => (long)c)];
        communicator.AllgatherFlattened(local, counts, ref result);
        return result;
    }

    /// <inheritdoc/>
    public long[] AllGather(long value) => communicator.Allgather(value);

    /// <inheritdoc/>
    public void AllReduceSum(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sums = new float[values.Length];
        communicator.Allreduce(values, MPI.Operation<float>.Add, ref sums);
        Array.Copy(sums, values, values.Length);
    }

    /// <inheritdoc/>
    public void Broadcast(float[] values, int root)
    {
        ArgumentNullException.ThrowIfNull(values);
        CommunicatorChecks.CheckRoot(this, root);
        var buffer = values;
        communicator.Broadcast(ref buffer, root);
        if (!ReferenceEquals(buffer, values))
        {
            Array.Copy(buffer, values, values.Length);
        }
    }

    /// <inheritdoc/>
    public void Abort(int errorCode) => communicator.Abort(errorCode);

    private static void FinalizeMpi()
    {
        lock (Gate)
        {
            environment?.Dispose();
            environment = null;
        }
    }
}
