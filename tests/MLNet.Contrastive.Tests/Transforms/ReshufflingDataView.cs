using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Contrastive.Tests.Transforms;

/// <summary>
/// A data view that is not re-enumerable: every cursor sees the same rows in a new order (like a live source or a view
/// that samples anew per cursor). Each cursor is a fresh <c>LoadFromEnumerable</c> cursor over a new permutation.
/// </summary>
internal sealed class ReshufflingDataView<TRow> : IDataView
    where TRow : class
{
    private readonly MLContext mlContext;
    private readonly IReadOnlyList<TRow> rows;
    private readonly Random random;

    internal ReshufflingDataView(MLContext mlContext, IReadOnlyList<TRow> rows, int seed)
    {
        this.mlContext = mlContext;
        this.rows = rows;
        random = new Random(seed);
        Schema = mlContext.Data.LoadFromEnumerable(rows).Schema;
    }

    /// <summary>Gets how many cursors were opened.</summary>
    internal int CursorsOpened { get; private set; }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        CursorsOpened++;
        var order = rows.ToArray();
        random.Shuffle(order);
        var inner = mlContext.Data.LoadFromEnumerable(order);
        return new Cursor(this, inner.GetRowCursor(columnsNeeded.Select(c => inner.Schema[c.Index])));
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor(ReshufflingDataView<TRow> view, DataViewRowCursor inner) : DataViewRowCursor
    {
        public override DataViewSchema Schema => view.Schema;

        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => inner.GetGetter<TValue>(inner.Schema[column.Index]);

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(inner.Schema[column.Index]);

        public override bool MoveNext() => inner.MoveNext();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
