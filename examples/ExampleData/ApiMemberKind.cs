namespace ExampleData;

/// <summary>The kinds of documented API members that <see cref="ApiDocsReader"/> keeps.</summary>
public enum ApiMemberKind
{
    /// <summary>A class, struct, interface, enum or delegate (doc id prefix <c>T:</c>).</summary>
    Type,

    /// <summary>A method, constructor or operator (doc id prefix <c>M:</c>).</summary>
    Method,

    /// <summary>A property or indexer (doc id prefix <c>P:</c>).</summary>
    Property,
}
