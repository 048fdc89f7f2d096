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
    private readonly BatchedEmbeddingDataView _view;
    private readonly HashSet<int> _active;
    private readonly int _inputCount;
    private readonly int[] _activeOutputs;
    private readonly DataViewRowCursor _input;
    private readonly RowBlockBuffer? _rows;
    private readonly ValueGetter<ReadOnlyMemory<char>>[] _textGetters;
    private readonly float[][][] _embeddings; // [output][row in block][value]
    private readonly Func<int> _slot;
    private int _blockCount;
    private int _blockIndex = -1;
    private long _position = -1;
    private bool _done;
    private bool _disposed;

    internal BatchedEmbeddingCursor(BatchedEmbeddingDataView view, HashSet<int> active)
    {
        _view = view;
        _active = active;
        var input = view.Input;
        _inputCount = input.Schema.Count;
        var outputs = view.InputIndices.Length;
        _activeOutputs = Enumerable.Range(0, outputs).Where(i => active.Contains(_inputCount + i)).ToArray();
        _embeddings = new float[outputs][][];
        _textGetters = new ValueGetter<ReadOnlyMemory<char>>[outputs];
        var passThrough = input.Schema.Where(c => active.Contains(c.Index)).ToArray();
        var texts = _activeOutputs.Select(i => input.Schema[view.InputIndices[i]]);
        _input = input.GetRowCursor(passThrough.Concat(texts).Distinct());
        _slot = () => _blockIndex >= 0 && _blockIndex < _blockCount
            ? _blockIndex
            : throw new InvalidOperationException("The cursor is not on a row: call MoveNext first (and only while it returns true).");
        if (_activeOutputs.Length > 0)
        {
            foreach (var i in _activeOutputs)
            {
                _textGetters[i] = _input.GetGetter<ReadOnlyMemory<char>>(input.Schema[view.InputIndices[i]]);
            }

            _rows = new RowBlockBuffer(_input, passThrough, view.Parent.ReadAheadRows);
        }
    }

    /// <inheritdoc />
    public override DataViewSchema Schema => _view.Schema;

    /// <inheritdoc />
    public override long Position => _rows is null ? _input.Position : _position;

    /// <inheritdoc />
    public override long Batch => _input.Batch;

    /// <inheritdoc />
    public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

    /// <inheritdoc />
    public override ValueGetter<DataViewRowId> GetIdGetter() => _rows is null ? _input.GetIdGetter() : _rows.GetIdGetter(_slot);

    /// <inheritdoc />
    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!IsColumnActive(column))
        {
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' was not requested when the cursor was created.");
        }

        if (column.Index < _inputCount)
        {
            var inputColumn = _view.Input.Schema[column.Index];
            return _rows is null ? _input.GetGetter<TValue>(inputColumn) : _rows.GetGetter<TValue>(inputColumn, _slot);
        }

        if (typeof(TValue) != typeof(VBuffer<float>))
        {
            throw new InvalidOperationException(
                $"Column '{column.Name}' holds {column.Type}: ask for a getter of VBuffer<Single>, not {typeof(TValue).Name}.");
        }

        var output = column.Index - _inputCount;
        ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> dst) => EmbeddingRowMapper.CopyTo(_embeddings[output][_slot()], ref dst);
        return (ValueGetter<TValue>)(Delegate)getter;
    }

    /// <inheritdoc />
    public override bool MoveNext()
    {
        if (_done)
        {
            return false;
        }

        if (_rows is null)
        {
            _done = !_input.MoveNext();
            return !_done;
        }

        if (++_blockIndex >= _blockCount && !ReadBlock())
        {
            _done = true;
            _blockIndex = -1;
            return false;
        }

        _position++;
        return true;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            _input.Dispose();
        }

        _disposed = true;
        _done = true;
        _blockIndex = -1;
        base.Dispose(disposing);
    }

    // Reads up to ReadAheadRows rows of the input, buffers them, and encodes their texts; false at the end of the input.
    private bool ReadBlock()
    {
        var size = _view.Parent.ReadAheadRows;
        var texts = _activeOutputs.Select(_ => new List<string>(size)).ToArray();
        var value = default(ReadOnlyMemory<char>);
        var count = 0;
        while (count < size && _input.MoveNext())
        {
            _rows!.Capture(count);
            for (var k = 0; k < _activeOutputs.Length; k++)
            {
                _textGetters[_activeOutputs[k]](ref value);
                texts[k].Add(value.ToString());
            }

            count++;
        }

        _blockCount = count;
        _blockIndex = 0;
        if (count == 0)
        {
            return false;
        }

        for (var k = 0; k < _activeOutputs.Length; k++)
        {
            _embeddings[_activeOutputs[k]] = _view.Parent.Encode(texts[k], _activeOutputs[k]);
        }

        return true;
    }
}
