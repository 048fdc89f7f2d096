using Microsoft.ML;

namespace MLNet.Contrastive.Transforms;

/// <summary>Access to ML.NET's internal <c>SchemaShape.Create</c> for the tests (which compile against the real ML.NET).</summary>
internal static class SchemaShapes
{
    /// <summary>The shape of <paramref name="schema"/>, as ML.NET's estimators see it.</summary>
    internal static SchemaShape From(DataViewSchema schema) => SchemaShape.Create(schema);
}
