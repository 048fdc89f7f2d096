using Microsoft.ML;

namespace MLNet.Contrastive.Tests.Transforms;

/// <summary>
/// A data view whose rows must not be read: its schema is the inner view's, and opening a cursor fails the test. Fit on
/// it shows that an error is raised before any training data is read.
/// </summary>
internal sealed class TripwireDataView(IDataView inner) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema => inner.Schema;

    public long? GetRowCount() => inner.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        throw new AssertFailedException("the training data was read before the error that could be known without it");

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
