using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Contrastive.MLNet;

/// <summary>
/// A cursor that encodes its rows in batches: a leading input cursor reads the text columns of the next
/// <see cref="ContrastiveEmbeddingTransformer.ReadAheadRows"/> rows and encodes them in one call per output column;
/// a following input cursor moves in step with this one and serves the input columns. Both are opened on the same
/// input without shuffling, so they see the same rows in the same order.
/// </summary>
internal sealed class BatchedEmbeddingCursor : DataViewRowCursor
{
    private readonly BatchedEmbeddingDataView _view;
    private readonly HashSet<int> _active;
    private readonly int _inputCount;
    private readonly int[] _activeOutputs;
    private readonly DataViewRowCursor _follow;
    private readonly DataViewRowCursor? _lead;
    private readonly ValueGetter<ReadOnlyMemory<char>>[] _leadGetters;
    private readonly float[][][] _buffer; // [output][row in block][value]
    private int _blockCount;
    private int _blockIndex = -1;
    private bool _disposed;

    internal BatchedEmbeddingCursor(BatchedEmbeddingDataView view, HashSet<int> active)
    {
        _view = view;
        _active = active;
        var input = view.Input;
        _inputCount = input.Schema.Count;
        var outputs = view.InputIndices.Length;
        _activeOutputs = Enumerable.Range(0, outputs).Where(i => active.Contains(_inputCount + i)).ToArray();
        _buffer = new float[outputs][][];
        _follow = input.GetRowCursor(input.Schema.Where(c => active.Contains(c.Index)));
        _leadGetters = new ValueGetter<ReadOnlyMemory<char>>[outputs];
        if (_activeOutputs.Length > 0)
        {
            var leadColumns = _activeOutputs.Select(i => input.Schema[view.InputIndices[i]]).Distinct().ToArray();
            _lead = input.GetRowCursor(leadColumns);
            foreach (var i in _activeOutputs)
            {
                _leadGetters[i] = _lead.GetGetter<ReadOnlyMemory<char>>(input.Schema[view.InputIndices[i]]);
            }
        }
    }

    /// <inheritdoc />
    public override DataViewSchema Schema => _view.Schema;

    /// <inheritdoc />
    public override long Position => _follow.Position;

    /// <inheritdoc />
    public override long Batch => _follow.Batch;

    /// <inheritdoc />
    public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

    /// <inheritdoc />
    public override ValueGetter<DataViewRowId> GetIdGetter() => _follow.GetIdGetter();

    /// <inheritdoc />
    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!IsColumnActive(column))
        {
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' was not requested when the cursor was created.");
        }

        if (column.Index < _inputCount)
        {
            return _follow.GetGetter<TValue>(_view.Input.Schema[column.Index]);
        }

        if (typeof(TValue) != typeof(VBuffer<float>))
        {
            throw new InvalidOperationException(
                $"Column '{column.Name}' holds {column.Type}: ask for a getter of VBuffer<Single>, not {typeof(TValue).Name}.");
        }

        var output = column.Index - _inputCount;
        ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> dst) =>
        {
            if (_blockIndex < 0)
            {
                throw new InvalidOperationException("The cursor is not on a row: call MoveNext first.");
            }

            EmbeddingRowMapper.CopyTo(_buffer[output][_blockIndex], ref dst);
        };
        return (ValueGetter<TValue>)(Delegate)getter;
    }

    /// <inheritdoc />
    public override bool MoveNext()
    {
        if (_disposed || !_follow.MoveNext())
        {
            return false;
        }

        if (_lead is not null && ++_blockIndex >= _blockCount)
        {
            ReadBlock();
        }
        else if (_lead is null)
        {
            _blockIndex = 0;
        }

        return true;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            _follow.Dispose();
            _lead?.Dispose();
        }

        _disposed = true;
        base.Dispose(disposing);
    }

    private void ReadBlock()
    {
        var size = _view.Parent.ReadAheadRows;
        var texts = _activeOutputs.Select(_ => new List<string>(size)).ToArray();
        var value = default(ReadOnlyMemory<char>);
        while (texts[0].Count < size && _lead!.MoveNext())
        {
            for (var k = 0; k < _activeOutputs.Length; k++)
            {
                _leadGetters[_activeOutputs[k]](ref value);
                texts[k].Add(value.ToString());
            }
        }

        if (texts[0].Count == 0)
        {
            throw new InvalidOperationException(
                "The input data view returned fewer rows to a second cursor than to the first: it must give the same rows to every cursor.");
        }

        for (var k = 0; k < _activeOutputs.Length; k++)
        {
            _buffer[_activeOutputs[k]] = _view.Parent.Encode(texts[k], _activeOutputs[k]);
        }

        _blockCount = texts[0].Count;
        _blockIndex = 0;
    }
}
