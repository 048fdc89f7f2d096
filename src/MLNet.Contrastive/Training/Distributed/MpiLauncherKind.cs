namespace MLNet.Contrastive.Training.Distributed;

/// <summary>The kind of launcher that started this process, from its environment variables.</summary>
public enum MpiLauncherKind
{
    /// <summary>No MPI launcher: a plain process.</summary>
    None,

    /// <summary>A PMI launcher of the MPICH family (MPICH's <c>mpiexec.hydra</c>, Intel MPI, MS-MPI, Slurm's <c>srun</c>
    /// with PMI-2 or PMIx): the ABI that MPI.NET binds.</summary>
    Pmi,

    /// <summary>Open MPI's <c>mpirun</c>: another ABI, which MPI.NET cannot use.</summary>
    OpenMpi,
}
