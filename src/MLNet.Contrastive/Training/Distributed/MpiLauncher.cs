using System.Globalization;

namespace MLNet.Contrastive.Training.Distributed;

/// <summary>
/// What the environment says about an MPI launch, read from the variables launchers set, without loading any MPI
/// library: MPICH-family launchers set <c>PMI_RANK</c>/<c>PMI_SIZE</c> (Slurm's PMI-2 <c>PMI_FD</c>, PMIx <c>PMIX_RANK</c>,
/// with <c>SLURM_NTASKS</c>/<c>SLURM_PROCID</c>), Open MPI sets <c>OMPI_COMM_WORLD_SIZE</c>/<c>OMPI_COMM_WORLD_RANK</c>.
/// </summary>
/// <remarks>Use <see cref="Rank"/> to let only rank 0 save the model or print results.</remarks>
public static class MpiLauncher
{
    /// <summary>Gets the launcher that started this process.</summary>
    public static MpiLauncherKind Kind => Detect(Environment.GetEnvironmentVariable).Kind;

    /// <summary>Gets this process's rank as the launcher announced it; 0 without a launcher.</summary>
    public static int Rank => Detect(Environment.GetEnvironmentVariable).Rank ?? 0;

    /// <summary>Gets the number of ranks as the launcher announced it; 1 without a launcher, and
    /// <see langword="null"/> when a launcher is present but did not say.</summary>
    public static int? Size => Detect(Environment.GetEnvironmentVariable) is var (kind, size, _) && kind == MpiLauncherKind.None ? 1 : size;

    /// <summary>Reads a launch from environment variables (testable with any lookup).</summary>
    /// <param name="variable">Returns the value of an environment variable, or <see langword="null"/>.</param>
    /// <returns>The launcher kind, and the size and rank where announced.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="variable"/> is null.</exception>
    internal static (MpiLauncherKind Kind, int? Size, int? Rank) Detect(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        int? Number(string name) =>
            int.TryParse(variable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

        if (variable("OMPI_COMM_WORLD_SIZE") is not null)
        {
            return (MpiLauncherKind.OpenMpi, Number("OMPI_COMM_WORLD_SIZE"), Number("OMPI_COMM_WORLD_RANK"));
        }

        if (variable("PMI_SIZE") is not null || variable("PMI_RANK") is not null)
        {
            return (MpiLauncherKind.Pmi, Number("PMI_SIZE"), Number("PMI_RANK"));
        }

        if (variable("PMI_FD") is not null || variable("PMIX_RANK") is not null || variable("MPI_LOCALNRANKS") is not null)
        {
            return (MpiLauncherKind.Pmi, Number("SLURM_NTASKS"), Number("PMIX_RANK") ?? Number("SLURM_PROCID"));
        }

        return (MpiLauncherKind.None, null, null);
    }
}
