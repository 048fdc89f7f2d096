using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.ML;

namespace MLNet.Contrastive.Transforms;

/// <summary>Loading a model zip with errors callers can catch.</summary>
public sealed partial class ContrastiveEmbeddingTransformer
{
    /// <summary>
    /// Loads a model zip written by <c>mlContext.Model.Save</c> (or <c>SaveAtomically</c>), like
    /// <c>mlContext.Model.Load</c>, but with one exception type for every bad model.
    /// </summary>
    /// <remarks>
    /// ML.NET builds each component of a model by reflection, so plain <c>mlContext.Model.Load</c> reports a corrupt,
    /// truncated, forged or newer model as a <see cref="TargetInvocationException"/>, an <see cref="InvalidOperationException"/>
    /// ("Error during class instantiation"), a <see cref="FormatException"/> or an <see cref="InvalidDataException"/>, with
    /// the real cause somewhere among the inner exceptions. This method turns all of them into one
    /// <see cref="InvalidDataException"/> whose message names the file and gives the causes, innermost last; the original
    /// exception is its <see cref="Exception.InnerException"/>. See docs/reliability.md.
    /// </remarks>
    /// <param name="mlContext">The context to load into.</param>
    /// <param name="path">The model zip.</param>
    /// <param name="inputSchema">The input schema saved with the model (null if none was saved).</param>
    /// <returns>The loaded transformer (a chain when the model is a pipeline). Dispose it, or its
    /// <see cref="ContrastiveEmbeddingTransformer"/>, to free native memory.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mlContext"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    /// <exception cref="InvalidDataException">The file is not a loadable model: not a zip, truncated, corrupted, forged,
    /// written by a newer version of a component, or holding NaN or infinite weights.</exception>
    public static ITransformer Load(MLContext mlContext, string path, out DataViewSchema? inputSchema)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' is a directory, not a model file: give the path of the model's .zip.", path);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
        }

        try
        {
            var model = mlContext.Model.Load(path, out var schema);
            inputSchema = schema;
            return model;
        }
        catch (Exception e) when (SavedByAnotherVersion(e) is { } saved)
        {
            // Only where the host's assembly loading bypassed SavedByVersion's resolver.
            throw new InvalidDataException(
                $"'{path}' was saved by MLNet.Contrastive {saved}, but this process runs MLNet.Contrastive {SavedByVersion.Running}, which cannot load it: " +
                $"reference MLNet.Contrastive {saved} or newer.", e);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException or UnauthorizedAccessException))
        {
            throw new InvalidDataException($"'{path}' is not a loadable model: {Causes(e)}", e);
        }
    }

    /// <summary>Tries to load a model zip; see <see cref="Load"/>.</summary>
    /// <param name="mlContext">The context to load into.</param>
    /// <param name="path">The model zip.</param>
    /// <param name="model">The loaded transformer, or null.</param>
    /// <param name="inputSchema">The input schema saved with the model, or null.</param>
    /// <param name="error">Why the model could not be loaded (the message of <see cref="Load"/>'s exception), or null.</param>
    /// <returns>Whether the model was loaded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mlContext"/> or <paramref name="path"/> is null.</exception>
    public static bool TryLoad(
        MLContext mlContext, string path, [NotNullWhen(true)] out ITransformer? model, out DataViewSchema? inputSchema, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            model = Load(mlContext, path, out inputSchema);
            error = null;
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or UnauthorizedAccessException)
        {
            (model, inputSchema, error) = (null, null, e.Message);
            return false;
        }
    }

    // The version of this library a model names when the running one could not be bound to it.
    private static Version? SavedByAnotherVersion(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            var name = e switch
            {
                FileNotFoundException notFound => notFound.FileName,
                FileLoadException notLoaded => notLoaded.FileName,
                _ => null,
            };
            if (SavedByVersion.Of(name) is { } version)
            {
                return version;
            }
        }

        return null;
    }

    // The messages of the exception chain without reflection's wrappers, outermost first.
    internal static string Causes(Exception error)
    {
        var messages = new List<string>();
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is TargetInvocationException || e.Message.StartsWith("Error during class instantiation", StringComparison.Ordinal))
            {
                continue;
            }

            if (!messages.Contains(e.Message))
            {
                messages.Add(e.Message);
            }
        }

        return messages.Count == 0 ? error.Message : string.Join(" <- ", messages);
    }
}
