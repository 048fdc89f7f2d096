using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Contrastive.Evaluation;

/// <summary>Reads whole columns of an <see cref="IDataView"/> with schema checks whose errors name the column,
/// the expected type and the actual type.</summary>
internal static class DataViewColumnReader
{
    public static List<float[]> ReadEmbeddings(IDataView data, string columnName, string dataParamName)
    {
        var column = FindColumn(data, columnName, dataParamName);
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType t, IsKnownSize: true } || t != NumberDataViewType.Single)
        {
            throw TypeMismatch(columnName, dataParamName, "Vector<Single> of known size", column.Type);
        }

        var rows = new List<float[]>();
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            rows.Add(buffer.DenseValues().ToArray());
        }
        return rows;
    }

    public static List<string> ReadText(IDataView data, string columnName, string dataParamName)
    {
        var column = FindColumn(data, columnName, dataParamName);
        if (column.Type is not TextDataViewType)
        {
            throw TypeMismatch(columnName, dataParamName, "String (text)", column.Type);
        }

        var rows = new List<string>();
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            rows.Add(value.ToString());
        }
        return rows;
    }

    public static List<double> ReadNumbers(IDataView data, string columnName, string dataParamName)
    {
        var column = FindColumn(data, columnName, dataParamName);
        var rows = new List<double>();
        using var cursor = data.GetRowCursor([column]);
        if (column.Type == NumberDataViewType.Single)
        {
            var getter = cursor.GetGetter<float>(column);
            float value = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                rows.Add(value);
            }
        }
        else if (column.Type == NumberDataViewType.Double)
        {
            var getter = cursor.GetGetter<double>(column);
            double value = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                rows.Add(value);
            }
        }
        else
        {
            throw TypeMismatch(columnName, dataParamName, "Single or Double", column.Type);
        }
        return rows;
    }

    private static DataViewSchema.Column FindColumn(IDataView data, string columnName, string dataParamName)
    {
        ArgumentNullException.ThrowIfNull(data, dataParamName);
        ArgumentException.ThrowIfNullOrWhiteSpace(columnName);
        var column = data.Schema.GetColumnOrNull(columnName);
        if (column is null)
        {
            string available = string.Join(", ", data.Schema.Select(c => $"'{c.Name}'"));
            throw new ArgumentException(
                $"Column '{columnName}' not found in '{dataParamName}'; available columns: {available}.", dataParamName);
        }
        return column.Value;
    }

    private static ArgumentException TypeMismatch(string columnName, string dataParamName, string expected, DataViewType actual) =>
        new($"Column '{columnName}' of '{dataParamName}' has type {actual}; expected {expected}.", dataParamName);
}
