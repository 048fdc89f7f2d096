using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Contrastive.Transforms;

/// <summary>
/// A cursor that encodes its rows in batches over ONE input cursor: it reads the next
/// <see cref="ContrastiveEmbeddingTransformer.ReadAheadRows"/> rows, copies the values of every active input column
/// (and the row ids) into a <see cref="RowBlockBuffer"/>, encodes the block's texts in one call per output column, and
/// then serves the buffered rows with their embeddings. Each row's embedding therefore comes from that row's own text,
/// whatever the input does between cursors (a live source, a view that shuffles or samples anew for every cursor).
/// </summary>
/// <remarks>
/// <see cref="Position"/> counts the rows this cursor served (from 0); <see cref="Batch"/> is the input cursor's;
/// the id getter returns the input's id of the row served. When no embedding column is active the input cursor is
/// served directly, with nothing buffered or encoded.
/// </remarks>
internal sealed class BatchedEmbeddingCursor : DataViewRowCursor
{
    private readonly BatchedEmbeddingDataView view;
    private readonly HashSet<int> active;
    private readonly int inputCount;
    private readonly int[] activeOutputs;
    private readonly DataViewRowCursor input;
    private readonly RowBlockBuffer? rows;
    private readonly ValueGetter<ReadOnlyMemory<char>>[] textGetters;
    private readonly float[][][] embeddings; // [output][row in block][value]
    private readonly Func<int> slot;
    private int blockCount;
    private int blockIndex = -1;
    private long position = -1;
    private bool done;
    private bool disposed;

    internal BatchedEmbeddingCursor(BatchedEmbeddingDataView view, HashSet<int> active)
    {
        this.view = view;
        this.active = active;
        var input = view.Input;
        inputCount = input.Schema.Count;
        var outputs = view.InputIndices.Length;
        activeOutputs = Enumerable.Range(0, outputs).Where(i => active.Contains(inputCount + i)).ToArray();
        embeddings = new float[outputs][][];
        textGetters = new ValueGetter<ReadOnlyMemory<char>>[outputs];
        var passThrough = input.Schema.Where(c => active.Contains(c.Index)).ToArray();
        var texts = activeOutputs.Select(i => input.Schema[view.InputIndices[i]]);
        this.input = input.GetRowCursor(passThrough.Concat(texts).Distinct());
        slot = () => blockIndex >= 0 && blockIndex < blockCount
            ? blockIndex
            : throw new InvalidOperationException("The cursor is not on a row: call MoveNext first (and only while it returns true).");
        if (activeOutputs.Length > 0)
        {
            foreach (var i in activeOutputs)
            {
                textGetters[i] = this.input.GetGetter<ReadOnlyMemory<char>>(input.Schema[view.InputIndices[i]]);
            }

            rows = new RowBlockBuffer(this.input, passThrough, view.Parent.ReadAheadRows);
        }
    }

    /// <inheritdoc />
    public override DataViewSchema Schema => view.Schema;

    /// <inheritdoc />
    public override long Position => rows is null ? input.Position : position;

    /// <inheritdoc />
    public override long Batch => input.Batch;

    /// <inheritdoc />
    public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

    /// <inheritdoc />
    public override ValueGetter<DataViewRowId> GetIdGetter() => rows is null ? input.GetIdGetter() : rows.GetIdGetter(slot);

    /// <inheritdoc />
    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!IsColumnActive(column))
        {
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' was not requested when the cursor was created.");
        }

        if (column.Index < inputCount)
        {
            var inputColumn = view.Input.Schema[column.Index];
            return rows is null ? input.GetGetter<TValue>(inputColumn) : rows.GetGetter<TValue>(inputColumn, slot);
        }

        if (typeof(TValue) != typeof(VBuffer<float>))
        {
            throw new InvalidOperationException(
                $"Column '{column.Name}' holds {column.Type}: ask for a getter of VBuffer<Single>, not {typeof(TValue).Name}.");
        }

        var output = column.Index - inputCount;
        ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> dst) => EmbeddingRowMapper.CopyTo(embeddings[output][slot()], ref dst);
        return (ValueGetter<TValue>)(Delegate)getter;
    }

    /// <inheritdoc />
    public override bool MoveNext()
    {
        if (done)
        {
            return false;
        }

        if (rows is null)
        {
            done = !input.MoveNext();
            return !done;
        }

        if (++blockIndex >= blockCount && !ReadBlock())
        {
            done = true;
            blockIndex = -1;
            return false;
        }

        position++;
        return true;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposed && disposing)
        {
            input.Dispose();
        }

        disposed = true;
        done = true;
        blockIndex = -1;
        base.Dispose(disposing);
    }

    // Reads up to ReadAheadRows rows of the input, buffers them, and encodes their texts; false at the end of the input.
    private bool ReadBlock()
    {
        var size = view.Parent.ReadAheadRows;
        var texts = activeOutputs.Select(_ => new List<string>(size)).ToArray();
        var value = default(ReadOnlyMemory<char>);
        var count = 0;
        while (count < size && input.MoveNext())
        {
            rows!.Capture(count);
            for (var k = 0; k < activeOutputs.Length; k++)
            {
                textGetters[activeOutputs[k]](ref value);
                texts[k].Add(value.ToString());
            }

            count++;
        }

        blockCount = count;
        blockIndex = 0;
        if (count == 0)
        {
            return false;
        }

        for (var k = 0; k < activeOutputs.Length; k++)
        {
            embeddings[activeOutputs[k]] = view.Parent.Encode(texts[k], activeOutputs[k]);
        }

        return true;
    }
}
