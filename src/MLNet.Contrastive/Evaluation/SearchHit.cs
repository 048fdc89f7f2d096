namespace MLNet.Contrastive.Evaluation;

/// <summary>One result of a <see cref="CosineIndex"/> search: a corpus position and its cosine similarity to the query.</summary>
/// <param name="Index">The zero-based position of the document in the indexed corpus.</param>
/// <param name="Score">The cosine similarity between the query and the document, in [-1, 1].</param>
public readonly record struct SearchHit(int Index, float Score);
