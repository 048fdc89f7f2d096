using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.Contrastive.MLNet;

/// <summary>Streams the training columns of a data view into <see cref="TextExample"/>s with one cursor pass.</summary>
internal static class TrainingDataReader
{
    /// <summary>Reads every row; a row whose anchor, positive or negative is missing or empty is an error naming column and row.</summary>
    internal static List<TextExample> Read(IHost host, IDataView data, ContrastiveEmbeddingOptions options, CancellationToken cancellation)
    {
        var schema = data.Schema;
        var textColumns = new List<DataViewSchema.Column> { schema[options.AnchorColumnName], schema[options.PositiveColumnName] };
        textColumns.AddRange(options.NegativeColumnNames.Select(name => schema[name]));
        var active = new List<DataViewSchema.Column>(textColumns);
        var group = options.GroupColumnName is null ? (DataViewSchema.Column?)null : schema[options.GroupColumnName];
        if (group is { } g)
        {
            active.Add(g);
        }

        using var cursor = data.GetRowCursor(active.Distinct());
        var getters = textColumns.Select(c => cursor.GetGetter<ReadOnlyMemory<char>>(c)).ToArray();
        var groupGetter = group is { } gc ? MakeGroupGetter(cursor, gc) : null;
        var examples = new List<TextExample>();
        var value = default(ReadOnlyMemory<char>);
        long row = 0;
        while (cursor.MoveNext())
        {
            if ((row & 1023) == 0)
            {
                cancellation.ThrowIfCancellationRequested();
                host.CheckAlive();
            }

            var texts = new string[getters.Length];
            for (var i = 0; i < getters.Length; i++)
            {
                getters[i](ref value);
                if (value.Span.IsWhiteSpace())
                {
                    throw host.Except(
                        $"Row {row} of column '{textColumns[i].Name}' has no text (null, empty or white space); every training text must be non-empty.");
                }

                texts[i] = value.ToString();
            }

            examples.Add(new TextExample(texts[0], texts[1], texts[2..], groupGetter?.Invoke()));
            row++;
        }

        if (examples.Count == 0)
        {
            throw host.Except("The training data has no rows.");
        }

        return examples;
    }

    private static Func<string>? MakeGroupGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var type = column.Type;
        if (type is TextDataViewType)
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            var v = default(ReadOnlyMemory<char>);
            return () => { getter(ref v); return v.ToString(); };
        }

        return type.RawType switch
        {
            var t when t == typeof(int) => Number<int>(cursor, column),
            var t when t == typeof(long) => Number<long>(cursor, column),
            var t when t == typeof(uint) => Number<uint>(cursor, column),
            var t when t == typeof(ulong) => Number<ulong>(cursor, column),
            _ => throw new ArgumentOutOfRangeException(nameof(column), $"Group column '{column.Name}' has unsupported type {type}."),
        };
    }

    private static Func<string> Number<T>(DataViewRowCursor cursor, DataViewSchema.Column column)
        where T : IFormattable
    {
        var getter = cursor.GetGetter<T>(column);
        var v = default(T)!;
        return () => { getter(ref v); return v.ToString(null, System.Globalization.CultureInfo.InvariantCulture); };
    }
}
