using MLNet.Contrastive.Training.Distributed;

namespace MLNet.Contrastive.Tests.Training.Distributed;

[TestClass]
public sealed class MpiLauncherTests
{
    [TestMethod]
    [DataRow("PMI_SIZE=3,PMI_RANK=2,MPI_LOCALNRANKS=3", MpiLauncherKind.Pmi, 3, 2, DisplayName = "MPICH hydra")]
    [DataRow("PMI_FD=5,SLURM_NTASKS=8,SLURM_PROCID=6", MpiLauncherKind.Pmi, 8, 6, DisplayName = "srun --mpi=pmi2")]
    [DataRow("PMIX_RANK=1,SLURM_NTASKS=4,SLURM_PROCID=1", MpiLauncherKind.Pmi, 4, 1, DisplayName = "srun --mpi=pmix")]
    [DataRow("OMPI_COMM_WORLD_SIZE=2,OMPI_COMM_WORLD_RANK=1", MpiLauncherKind.OpenMpi, 2, 1, DisplayName = "Open MPI")]
    [DataRow("SLURM_NTASKS=4,SLURM_PROCID=0", MpiLauncherKind.None, -1, -1, DisplayName = "Slurm batch step, no MPI launch")]
    public void Detect_LauncherVariables_GiveKindSizeAndRank(string variables, MpiLauncherKind kind, int size, int rank)
    {
        var environment = variables.Split(',').Select(v => v.Split('=')).ToDictionary(p => p[0], p => p[1]);
        var detected = MpiLauncher.Detect(name => environment.GetValueOrDefault(name));

        Assert.AreEqual(kind, detected.Kind);
        Assert.AreEqual(size < 0 ? null : size, detected.Size);
        Assert.AreEqual(rank < 0 ? null : rank, detected.Rank);
    }

    [TestMethod]
    public void Resolve_OffOrAutoWithoutLauncher_IsOneProcessWithoutMpi()
    {
        Assert.IsNull(DistributedSetup.Resolve(DistributedMode.Off));
        Assert.AreEqual(MpiLauncherKind.None, MpiLauncher.Kind, "the tests are not run under an MPI launcher");
        Assert.IsNull(DistributedSetup.Resolve(DistributedMode.Auto));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DistributedSetup.Resolve((DistributedMode)7));
    }

    [TestMethod]
    public void Install_LibraryMissing_SaysWhatToInstall()
    {
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => MpiLibrary.Install("libno-such-mpi.so.12"));
        StringAssert.Contains(error.Message, "'libno-such-mpi.so.12' could not be loaded");
        StringAssert.Contains(error.Message, "apt-get install mpich");
        StringAssert.Contains(error.Message, MpiLibrary.LibraryVariable);
    }
}
