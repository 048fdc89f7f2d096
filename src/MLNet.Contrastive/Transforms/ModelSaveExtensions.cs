using Microsoft.ML;

namespace MLNet.Contrastive.Transforms;

/// <summary>
/// Saving a model without ever leaving a half-written file: <c>mlContext.Model.Save(model, schema, path)</c> writes
/// <c>path</c> directly, so an exception in the middle (a component that fails to save, a full disk) leaves a truncated
/// zip behind that later fails to load, or overwrites a good model with a broken one.
/// </summary>
public static class ModelSaveExtensions
{
    /// <summary>
    /// Saves <paramref name="model"/> to a temporary file next to <paramref name="filePath"/>, flushes it to disk, then
    /// moves it over <paramref name="filePath"/>. If saving fails, the temporary file is deleted and any existing file at
    /// <paramref name="filePath"/> is left untouched.
    /// </summary>
    /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
    /// <param name="model">The model to save.</param>
    /// <param name="inputSchema">The input schema saved with the model, or null.</param>
    /// <param name="filePath">Where the model ends up.</param>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/>, <paramref name="model"/> or <paramref name="filePath"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="filePath"/> is empty or white space.</exception>
    /// <exception cref="IOException">Writing or moving the file failed (the exception saving the model is rethrown as is).</exception>
    public static void SaveAtomically(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, string filePath)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        var fullPath = Path.GetFullPath(filePath);
        var temporary = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                catalog.Save(model, inputSchema, stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
