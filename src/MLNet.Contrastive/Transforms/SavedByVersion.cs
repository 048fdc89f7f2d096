using System.Reflection;
using System.Runtime.CompilerServices;

namespace MLNet.Contrastive.Transforms;

/// <summary>
/// Models saved by another version of this library. A model zip names the assembly that saved it, version included, and
/// ML.NET loads that name before it reads the model. .NET binds a request for an older version to the running (newer)
/// assembly by itself; a request for a newer one fails. This resolver answers it with the running assembly, so that the
/// model's own format version decides: a model whose format this version reads loads, and one it cannot read is refused
/// naming both library versions (<see cref="CheckReadable"/>).
/// </summary>
/// <remarks>
/// The resolver is registered when this assembly loads. A process whose first use of the library is
/// <c>mlContext.Model.Load</c> has not loaded it yet, and ML.NET's binding fails before any code of this library runs:
/// <see cref="ContrastiveEmbeddingTransformer.Load"/> (or any use of the library before) avoids that (docs/persistence.md).
/// </remarks>
internal static class SavedByVersion
{
    internal const string AssemblyName = "MLNet.Contrastive";

    internal static Version Running { get; } = typeof(SavedByVersion).Assembly.GetName().Version!;

#pragma warning disable CA2255 // A library module initializer: ML.NET asks for the saving assembly by name, before any type of this library is used.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => AppDomain.CurrentDomain.AssemblyResolve += (_, request) =>
        new AssemblyName(request.Name) is { Name: AssemblyName } asked && (asked.Version is null || asked.Version > Running)
            ? typeof(SavedByVersion).Assembly
            : null;

    /// <summary>The library version named by a model's loader assembly name, or <see langword="null"/> when it names none.</summary>
    internal static Version? Of(string? loaderAssemblyName) =>
        loaderAssemblyName is { Length: > 0 } && new AssemblyName(loaderAssemblyName) is { Name: AssemblyName, Version: { } version } ? version : null;

    /// <summary>Refuses a model whose format is newer than this version reads, naming the version that saved it.</summary>
    /// <exception cref="InvalidDataException">The model's readable format version is above <paramref name="newestReadable"/>.</exception>
    internal static void CheckReadable(uint modelReadableVersion, uint newestReadable, string? loaderAssemblyName)
    {
        if (modelReadableVersion > newestReadable)
        {
            var saved = Of(loaderAssemblyName)?.ToString() ?? "a newer version";
            throw new InvalidDataException(
                $"The model was saved by MLNet.Contrastive {saved} in a format too new for this process's MLNet.Contrastive {Running} " +
                $"(format 0x{modelReadableVersion:x8}; it reads up to 0x{newestReadable:x8}): reference MLNet.Contrastive {saved} or newer.");
        }
    }
}
