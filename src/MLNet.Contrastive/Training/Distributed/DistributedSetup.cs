namespace MLNet.Contrastive.Training.Distributed;

/// <summary>Turns a <see cref="DistributedMode"/> into a communicator, loading MPI only when it is used.</summary>
internal static class DistributedSetup
{
    /// <summary>Returns the communicator <paramref name="mode"/> asks for in this process's environment.</summary>
    /// <param name="mode">The mode.</param>
    /// <param name="libraryName">The MPI library, or <see langword="null"/> for the default (see <see cref="MpiCommunicator"/>).</param>
    /// <returns><see langword="null"/> for one process (<see cref="DistributedMode.Off"/>, or <see cref="DistributedMode.Auto"/>
    /// without a launcher of more than one rank); otherwise the MPI world.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not defined.</exception>
    /// <exception cref="NotSupportedException">MPI is needed and the launcher is Open MPI's.</exception>
    /// <exception cref="InvalidOperationException">MPI is needed and no MPI library loads (the message says what to install).</exception>
    public static ICommunicator? Resolve(DistributedMode mode, string? libraryName = null)
    {
        switch (mode)
        {
            case DistributedMode.Off:
                return null;
            case DistributedMode.Mpi:
                return MpiCommunicator.World(libraryName);
            case DistributedMode.Auto:
                var (kind, size, _) = MpiLauncher.Detect(Environment.GetEnvironmentVariable);
                return kind == MpiLauncherKind.None || size == 1 ? null : MpiCommunicator.World(libraryName);
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown distributed mode.");
        }
    }
}
