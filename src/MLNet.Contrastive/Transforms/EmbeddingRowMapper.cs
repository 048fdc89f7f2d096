using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Contrastive.Transforms;

/// <summary>
/// The row mapper of <see cref="ContrastiveEmbeddingTransformer"/>: one vector column per (output, input) pair,
/// computed row by row (used by <c>PredictionEngine</c> and <c>GetRowToRowMapper</c>; <c>Transform</c> batches instead).
/// </summary>
internal sealed class EmbeddingRowMapper : RowToRowTransformerBase.MapperBase
{
    private readonly ContrastiveEmbeddingTransformer owner;
    private readonly int[] inputIndices;

    internal EmbeddingRowMapper(ContrastiveEmbeddingTransformer parent, DataViewSchema inputSchema)
        : base(parent.Host.Register(nameof(EmbeddingRowMapper)), inputSchema, parent)
    {
        owner = parent;
        var pairs = parent.ColumnPairs;
        inputIndices = new int[pairs.Count];
        for (var i = 0; i < pairs.Count; i++)
        {
            ColumnChecks.RequireText(Host, inputSchema, "input", pairs[i].InputColumnName);
            inputIndices[i] = inputSchema[pairs[i].InputColumnName].Index;
        }
    }

    /// <inheritdoc />
    protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() =>
        owner.ColumnPairs
            .Select(p => new DataViewSchema.DetachedColumn(p.OutputColumnName, owner.OutputType))
            .ToArray();

    /// <inheritdoc />
    protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
    {
        disposer = null!;
        var textGetter = input.GetGetter<ReadOnlyMemory<char>>(input.Schema[inputIndices[iinfo]]);
        var text = default(ReadOnlyMemory<char>);
        var cachedPosition = -1L;
        float[] cached = Array.Empty<float>();
        ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> dst) =>
        {
            if (input.Position != cachedPosition)
            {
                textGetter(ref text);
                cached = owner.Encode(new[] { text.ToString() }, iinfo)[0];
                cachedPosition = input.Position;
            }

            CopyTo(cached, ref dst);
        };
        return getter;
    }

    /// <inheritdoc />
    protected override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
    {
        var active = new bool[InputSchema.Count];
        for (var i = 0; i < inputIndices.Length; i++)
        {
            if (activeOutput(i))
            {
                active[inputIndices[i]] = true;
            }
        }

        return column => active[column];
    }

    /// <inheritdoc />
    protected override void SaveModel(ModelSaveContext ctx) => owner.SaveTo(ctx);

    /// <summary>Copies <paramref name="values"/> into a dense <see cref="VBuffer{T}"/>, reusing its buffer.</summary>
    internal static void CopyTo(float[] values, ref VBuffer<float> dst)
    {
        var editor = VBufferEditor.Create(ref dst, values.Length);
        values.AsSpan().CopyTo(editor.Values);
        dst = editor.Commit();
    }
}
