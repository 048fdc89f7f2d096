using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Contrastive.Mining;

/// <summary>
/// The rows of a source view that got their hard negatives, with every column of the source and one text column per
/// negative. The source must give the same rows in the same order to every cursor (the miner hands it a cached view).
/// </summary>
internal sealed class MinedNegativesDataView : IDataView
{
    private readonly IDataView source;
    private readonly long[] keptRows;
    private readonly string[][] negatives;
    private readonly int sourceColumns;

    /// <param name="source">The source rows (re-enumerable, deterministic).</param>
    /// <param name="keptRows">The source positions of the rows kept, ascending.</param>
    /// <param name="negatives">Per kept row, its negatives' texts, one per column.</param>
    /// <param name="columnNames">The names of the negative columns.</param>
    internal MinedNegativesDataView(IDataView source, long[] keptRows, string[][] negatives, IReadOnlyList<string> columnNames)
    {
        this.source = source;
        this.keptRows = keptRows;
        this.negatives = negatives;
        sourceColumns = source.Schema.Count;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(source.Schema);
        foreach (var name in columnNames)
        {
            builder.AddColumn(name, TextDataViewType.Instance);
        }

        Schema = builder.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => keptRows.Length;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToArray();
        var inner = source.GetRowCursor(needed.Where(c => c.Index < sourceColumns).Select(c => source.Schema[c.Index]));
        return new Cursor(this, inner, needed.Select(c => c.Index).ToHashSet());
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(MinedNegativesDataView view, DataViewRowCursor inner, HashSet<int> active) : DataViewRowCursor
    {
        private long position = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < view.sourceColumns)
            {
                return inner.GetGetter<TValue>(inner.Schema[column.Index]);
            }

            if (typeof(TValue) != typeof(ReadOnlyMemory<char>))
            {
                throw new InvalidOperationException($"Column '{column.Name}' is text: ask for ReadOnlyMemory<char>, not {typeof(TValue).Name}.");
            }

            var negative = column.Index - view.sourceColumns;
            ValueGetter<ReadOnlyMemory<char>> getter = (ref ReadOnlyMemory<char> value) => value = view.negatives[position][negative].AsMemory();
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId value) => value = new DataViewRowId((ulong)position, 0);

        public override bool MoveNext()
        {
            if (position + 1 >= view.keptRows.Length)
            {
                return false;
            }

            var target = view.keptRows[position + 1];
            while (inner.Position < target)
            {
                if (!inner.MoveNext())
                {
                    throw new InvalidOperationException($"The source data ended at row {inner.Position + 1}, before row {target} that the mining kept: it changed since it was read.");
                }
            }

            position++;
            return true;
        }

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
