using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Contrastive.Text;
using MLNet.Contrastive.Training;

namespace MLNet.Contrastive.Transforms;

/// <summary>The training rows of a data view as token ids (before any vocabulary mapping).</summary>
/// <param name="Examples">One example per row, in row order; group ids numbered from the group keys in order of appearance.</param>
/// <param name="TruncatedTexts">How many texts were longer than the tokenizer's maximum and were truncated.</param>
internal sealed record TokenizedTrainingData(IReadOnlyList<ContrastiveExample> Examples, int TruncatedTexts);

/// <summary>
/// Streams the training columns of a data view with one cursor pass and keeps only token ids (never the rows).
/// </summary>
internal static class TrainingDataReader
{
    /// <summary>How errors name the training data.</summary>
    internal const string TrainingDataName = "training data";

    /// <summary>How errors name <see cref="ContrastiveEmbeddingOptions.ValidationData"/>.</summary>
    internal const string ValidationDataName = "validation data (ValidationData)";

    /// <summary>Reads and tokenizes every row; a row whose anchor, positive or negative is missing or blank is an error naming data, column and row.</summary>
    internal static TokenizedTrainingData Read(
        IHost host, IDataView data, ContrastiveEmbeddingOptions options, TextTokenizer tokenizer, CancellationToken cancellation, string dataName = TrainingDataName)
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

        // The anchor is the query; the positive and the negatives are documents.
        var prefixes = textColumns.Select((_, i) => (i == 0 ? options.QueryPrefix : options.DocumentPrefix) ?? string.Empty).ToArray();
        var groupGetter = group is { } gc ? MakeGroupGetter(cursor, gc) : null;
        var groupIds = new Dictionary<string, long>(StringComparer.Ordinal);
        var examples = new List<ContrastiveExample>();
        var value = default(ReadOnlyMemory<char>);
        var truncated = 0;
        long row = 0;
        while (cursor.MoveNext())
        {
            if ((row & 1023) == 0)
            {
                cancellation.ThrowIfCancellationRequested();
                host.CheckAlive();
            }

            var ids = new int[getters.Length][];
            for (var i = 0; i < getters.Length; i++)
            {
                getters[i](ref value);
                if (value.Span.IsWhiteSpace())
                {
                    throw host.Except(
                        $"Row {row} of column '{textColumns[i].Name}' of the {dataName} has no text (null, empty or white space); every text must be non-empty.");
                }

                ids[i] = tokenizer.Encode(prefixes[i] + value.ToString(), out var cut);
                truncated += cut ? 1 : 0;
            }

            long? groupId = null;
            if (groupGetter?.Invoke() is { } key)
            {
                if (!groupIds.TryGetValue(key, out var id))
                {
                    id = groupIds.Count;
                    groupIds.Add(key, id);
                }

                groupId = id;
            }

            examples.Add(new ContrastiveExample(ids[0], ids[1], ids[2..], groupId));
            row++;
        }

        if (examples.Count == 0)
        {
            throw host.Except($"The {dataName} has no rows.");
        }

        if (dataName == TrainingDataName && group is { } only && groupIds.Count == 1 && examples.All(e => e.Group is not null)
            && (options.NegativeColumnNames.Length == 0 || options.Loss == Losses.LossKind.SymmetricInfoNce))
        {
            throw host.Except(
                $"Every row of the training data has the same value in group column '{only.Name}' ('{groupIds.Keys.Single()}'): rows of one group are never each other's negatives, so no row has a negative and nothing would be learned. Give rows distinct groups, leave the group value empty for rows in no group, or add hard negatives.");
        }

        return new TokenizedTrainingData(examples, truncated);
    }

    // A text group value that is missing (null, empty or white space) means "no group": null, so the row is
    // everyone's negative (the trainer gives it an id of its own), rather than one shared group "" in which no row
    // would be another's negative. Integer columns have no missing value in ML.NET.
    internal static Func<string?>? MakeGroupGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var type = column.Type;
        if (type is TextDataViewType)
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            var v = default(ReadOnlyMemory<char>);
            return () => { getter(ref v); return v.Span.IsWhiteSpace() ? null : v.ToString(); };
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

    private static Func<string?> Number<T>(DataViewRowCursor cursor, DataViewSchema.Column column)
        where T : IFormattable
    {
        var getter = cursor.GetGetter<T>(column);
        var v = default(T)!;
        return () => { getter(ref v); return v.ToString(null, System.Globalization.CultureInfo.InvariantCulture); };
    }
}
