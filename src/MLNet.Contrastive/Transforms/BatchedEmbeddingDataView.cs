using Microsoft.ML;

namespace MLNet.Contrastive.Transforms;

/// <summary>
/// The lazy result of <see cref="ContrastiveEmbeddingTransformer.Transform"/>: the input columns followed by one
/// vector column per (output, input) pair. Its cursors encode rows in batches (see <see cref="BatchedEmbeddingCursor"/>).
/// </summary>
internal sealed class BatchedEmbeddingDataView : IDataView
{
    internal BatchedEmbeddingDataView(ContrastiveEmbeddingTransformer parent, IDataView input)
    {
        Parent = parent;
        Input = input;
        var pairs = parent.ColumnPairs;
        InputIndices = new int[pairs.Count];
        for (var i = 0; i < pairs.Count; i++)
        {
            ColumnChecks.RequireText(parent.Host, input.Schema, "input", pairs[i].InputColumnName);
            InputIndices[i] = input.Schema[pairs[i].InputColumnName].Index;
        }

        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input.Schema);
        foreach (var pair in pairs)
        {
            builder.AddColumn(pair.OutputColumnName, parent.OutputType);
        }

        Schema = builder.ToSchema();
    }

    /// <summary>Gets the transformer whose model encodes the rows.</summary>
    internal ContrastiveEmbeddingTransformer Parent { get; }

    /// <summary>Gets the input data view.</summary>
    internal IDataView Input { get; }

    /// <summary>Gets, for each output column, the index of its text column in the input schema.</summary>
    internal int[] InputIndices { get; }

    /// <inheritdoc />
    public bool CanShuffle => false;

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <inheritdoc />
    public long? GetRowCount() => Input.GetRowCount();

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        return new BatchedEmbeddingCursor(this, columnsNeeded.Select(c => c.Index).ToHashSet());
    }

    /// <inheritdoc />
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };
}
