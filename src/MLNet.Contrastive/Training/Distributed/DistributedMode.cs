namespace MLNet.Contrastive.Training.Distributed;

/// <summary>Whether training runs data-parallel over MPI (see docs/distributed.md).</summary>
public enum DistributedMode
{
    /// <summary>Data-parallel when the process was started by an MPI launcher with more than one rank (see
    /// <see cref="MpiLauncher"/>); otherwise one process, and no MPI library is loaded.</summary>
    Auto,

    /// <summary>Always one process, even under a launcher (each rank then trains alone).</summary>
    Off,

    /// <summary>Always through MPI; an error when no MPI library loads (one process without a launcher is a job of one rank).</summary>
    Mpi,
}
