namespace ExampleData;

/// <summary>One documented API member: its documentation id, readable signature and summary.</summary>
/// <param name="DocId">The XML documentation id, for example <c>M:System.Collections.Generic.List`1.Clear</c>.</param>
/// <param name="Kind">The member kind.</param>
/// <param name="DeclaringTypeId">The documentation id (without <c>T:</c>) of the type the member belongs to; for a
/// type, the type itself. Train/test splits are made on this.</param>
/// <param name="DeclaringType">The readable full name of that type, for example <c>System.Collections.Generic.List&lt;T&gt;</c>.</param>
/// <param name="Signature">The readable signature, for example
/// <c>List&lt;T&gt;.Insert(int index, T item) — method of System.Collections.Generic.List&lt;T&gt;</c>.</param>
/// <param name="Summary">The summary as plain text, whitespace normalised.</param>
public sealed record ApiMember(string DocId, ApiMemberKind Kind, string DeclaringTypeId, string DeclaringType, string Signature, string Summary);
