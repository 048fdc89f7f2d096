using Microsoft.ML;
using MLNet.Contrastive.Training.Distributed;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Tests.Transforms;

/// <summary><see cref="ContrastiveEmbeddingOptions.Distributed"/> in one process (the MPI runs are in Training/Distributed).</summary>
[TestClass]
public sealed class DistributedOptionTests
{
    [TestMethod]
    public void Fit_MpiRequestedButNoLibraryLoads_ThrowsSayingWhatToInstall()
    {
        var previous = Environment.GetEnvironmentVariable(MpiLibrary.LibraryVariable);
        Environment.SetEnvironmentVariable(MpiLibrary.LibraryVariable, "libno-such-mpi.so.12");
        try
        {
            var mlContext = new MLContext(seed: 1);
            var options = TestData.Options();
            options.Distributed = DistributedMode.Mpi;
            var estimator = mlContext.Transforms.ContrastiveEmbedding(options);

            var error = Assert.ThrowsExactly<InvalidOperationException>(() => estimator.Fit(TestData.View(mlContext, TestData.Rows(8))));
            StringAssert.Contains(error.Message, "apt-get install mpich");
            StringAssert.Contains(error.Message, "Distributed = Off");
        }
        finally
        {
            Environment.SetEnvironmentVariable(MpiLibrary.LibraryVariable, previous);
        }
    }

    [TestMethod]
    public void Resolve_StartedByOpenMpi_RefusesWithTheMpichRoute()
    {
        Environment.SetEnvironmentVariable("OMPI_COMM_WORLD_SIZE", "2");
        try
        {
            Assert.IsNull(DistributedSetup.Resolve(DistributedMode.Off), "Off never touches MPI");
            var error = Assert.ThrowsExactly<NotSupportedException>(() => DistributedSetup.Resolve(DistributedMode.Auto));
            StringAssert.Contains(error.Message, "Open MPI");
            StringAssert.Contains(error.Message, "mpiexec.hydra");
        }
        finally
        {
            Environment.SetEnvironmentVariable("OMPI_COMM_WORLD_SIZE", null);
        }
    }

    [TestMethod]
    public void Create_UnknownDistributedMode_ThrowsNamingTheOption()
    {
        var options = TestData.Options();
        options.Distributed = (DistributedMode)9;

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext().Transforms.ContrastiveEmbedding(options));
        Assert.AreEqual(nameof(ContrastiveEmbeddingOptions.Distributed), error.ParamName);
    }
}
