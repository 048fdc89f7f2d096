namespace MLNet.Contrastive.Losses;

/// <summary>A block of logit rows: <paramref name="Count"/> rows from <paramref name="Start"/> of one direction.</summary>
/// <param name="Reverse"><see langword="false"/> for query-to-documents rows, <see langword="true"/> for positive-to-queries rows.</param>
/// <param name="Start">The first row.</param>
/// <param name="Count">The number of rows.</param>
internal readonly record struct LossBlock(bool Reverse, int Start, int Count);
