using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Contrastive.Transforms;

/// <summary>
/// The values of a block of rows of one input cursor, copied out of it while it stood on each row, so that the rows can
/// be served after the cursor has moved on (an input getter is valid only for the cursor's current row).
/// </summary>
/// <remarks>
/// Scalars are copied by value, text is copied into a string of its own, vectors (<see cref="VBuffer{T}"/>) are deep
/// copied; their arrays are reused from block to block. A column of another reference type keeps the reference the
/// input handed out.
/// </remarks>
internal sealed class RowBlockBuffer
{
    private readonly Column?[] columns;
    private readonly ValueGetter<DataViewRowId> idGetter;
    private DataViewRowId[] ids;

    /// <summary>Initializes a new instance of the <see cref="RowBlockBuffer"/> class for the active columns of <paramref name="input"/>.</summary>
    internal RowBlockBuffer(DataViewRowCursor input, IEnumerable<DataViewSchema.Column> columns, int capacity)
    {
        this.columns = new Column?[input.Schema.Count];
        foreach (var column in columns)
        {
            this.columns[column.Index] = Column.Create(input, column, capacity);
        }

        idGetter = input.GetIdGetter();
        ids = new DataViewRowId[capacity];
    }

    /// <summary>Copies the current row of the input cursor into slot <paramref name="slot"/>.</summary>
    internal void Capture(int slot)
    {
        if (slot >= ids.Length)
        {
            Array.Resize(ref ids, slot + 1);
        }

        idGetter(ref ids[slot]);
        foreach (var column in columns)
        {
            column?.Capture(slot);
        }
    }

    /// <summary>A getter of column <paramref name="column"/> that reads the slot <paramref name="slot"/> returns.</summary>
    internal ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column, Func<int> slot)
    {
        var buffered = columns[column.Index] ?? throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' is not buffered.");
        return buffered as Column<TValue> is { } typed
            ? typed.Getter(slot)
            : throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type}: ask for a getter of {column.Type.RawType.Name}, not {typeof(TValue).Name}.");
    }

    /// <summary>A getter of the row ids of the slots <paramref name="slot"/> returns.</summary>
    internal ValueGetter<DataViewRowId> GetIdGetter(Func<int> slot) => (ref DataViewRowId value) => value = ids[slot()];

    private abstract class Column
    {
        internal static Column Create(DataViewRowCursor input, DataViewSchema.Column column, int capacity)
        {
            var raw = column.Type.RawType;
            var type = raw == typeof(ReadOnlyMemory<char>) ? typeof(TextColumn)
                : raw.IsGenericType && raw.GetGenericTypeDefinition() == typeof(VBuffer<>)
                ? typeof(VectorColumn<>).MakeGenericType(raw.GetGenericArguments()[0])
                : typeof(ValueColumn<>).MakeGenericType(raw);
            return (Column)Activator.CreateInstance(type, input, column, capacity)!;
        }

        internal abstract void Capture(int slot);
    }

    private abstract class Column<T> : Column
    {
        internal abstract ValueGetter<T> Getter(Func<int> slot);
    }

    private sealed class ValueColumn<T>(DataViewRowCursor input, DataViewSchema.Column column, int capacity) : Column<T>
    {
        private readonly ValueGetter<T> source = input.GetGetter<T>(column);
        private T[] values = new T[capacity];

        internal override void Capture(int slot)
        {
            if (slot >= values.Length)
            {
                Array.Resize(ref values, slot + 1);
            }

            source(ref values[slot]);
        }

        internal override ValueGetter<T> Getter(Func<int> slot) => (ref T value) => value = values[slot()];
    }

    private sealed class TextColumn(DataViewRowCursor input, DataViewSchema.Column column, int capacity) : Column<ReadOnlyMemory<char>>
    {
        private readonly ValueGetter<ReadOnlyMemory<char>> source = input.GetGetter<ReadOnlyMemory<char>>(column);
        private ReadOnlyMemory<char>[] values = new ReadOnlyMemory<char>[capacity];
        private ReadOnlyMemory<char> current;

        internal override void Capture(int slot)
        {
            if (slot >= values.Length)
            {
                Array.Resize(ref values, slot + 1);
            }

            // The input may hand out memory of a buffer it reuses for the next row: keep a copy.
            source(ref current);
            values[slot] = current.Length == 0 ? ReadOnlyMemory<char>.Empty : current.ToString().AsMemory();
        }

        internal override ValueGetter<ReadOnlyMemory<char>> Getter(Func<int> slot) => (ref ReadOnlyMemory<char> value) => value = values[slot()];
    }

    private sealed class VectorColumn<T>(DataViewRowCursor input, DataViewSchema.Column column, int capacity) : Column<VBuffer<T>>
    {
        private readonly ValueGetter<VBuffer<T>> source = input.GetGetter<VBuffer<T>>(column);
        private VBuffer<T>[] values = new VBuffer<T>[capacity];
        private VBuffer<T> current;

        internal override void Capture(int slot)
        {
            if (slot >= values.Length)
            {
                Array.Resize(ref values, slot + 1);
            }

            source(ref current);
            current.CopyTo(ref values[slot]);
        }

        internal override ValueGetter<VBuffer<T>> Getter(Func<int> slot) => (ref VBuffer<T> value) => values[slot()].CopyTo(ref value);
    }
}
