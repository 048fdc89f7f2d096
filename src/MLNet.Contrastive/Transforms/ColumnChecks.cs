using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.Contrastive.Transforms;

/// <summary>Schema checks shared by the estimator and the transformer; each error names column, expected and actual type.</summary>
internal static class ColumnChecks
{
    /// <summary>The name ML.NET gives the text type, <see cref="TextDataViewType"/>.</summary>
    internal static readonly string TextTypeName = TextDataViewType.Instance.ToString();

    /// <summary>Throws unless <paramref name="name"/> is a scalar text column of <paramref name="schema"/>.</summary>
    internal static void RequireText(IExceptionContext host, SchemaShape schema, string role, string name)
    {
        if (!schema.TryFindColumn(name, out var column))
        {
            throw host.ExceptSchemaMismatch(nameof(schema), role, name);
        }

        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
        {
            throw host.ExceptSchemaMismatch(nameof(schema), role, name, TextTypeName, column.GetTypeString());
        }
    }

    /// <summary>Throws unless <paramref name="name"/> is a scalar text column of <paramref name="schema"/>.</summary>
    internal static void RequireText(IExceptionContext host, DataViewSchema schema, string role, string name)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw host.ExceptSchemaMismatch(nameof(schema), role, name);
        if (column.Type is not TextDataViewType)
        {
            throw host.ExceptSchemaMismatch(nameof(schema), role, name, TextTypeName, column.Type.ToString());
        }
    }

    /// <summary>Whether <paramref name="type"/> can be a group key: text or a scalar integer.</summary>
    internal static bool IsGroupType(DataViewType type) =>
        type is TextDataViewType
        || type == NumberDataViewType.Int32 || type == NumberDataViewType.Int64
        || type == NumberDataViewType.UInt32 || type == NumberDataViewType.UInt64;

    /// <summary>Throws unless <paramref name="name"/> is a text or integer scalar column of <paramref name="schema"/>.</summary>
    internal static void RequireGroup(IExceptionContext host, SchemaShape schema, string name, string role = "group")
    {
        if (!schema.TryFindColumn(name, out var column))
        {
            throw host.ExceptSchemaMismatch(nameof(schema), role, name);
        }

        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || !IsGroupType(column.ItemType))
        {
            throw host.ExceptSchemaMismatch(nameof(schema), role, name,
                $"{TextTypeName}, Int32, Int64, UInt32 or UInt64", column.GetTypeString());
        }
    }
}
