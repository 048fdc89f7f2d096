namespace MLNet.Contrastive.Encoders;

/// <summary>
/// The memory rule of every forward pass the library makes: a batch of <c>n</c> texts padded to <c>L</c> tokens through
/// a Transformer with <c>h</c> heads holds <c>n x h x L^2</c> attention scores per layer (attention is quadratic in
/// length), and that count is kept at or below <see cref="MaxScores"/> by splitting batches of long texts. It is checked
/// before any call into libtorch, whose errors (TorchSharp 0.107 does not catch them) abort the process.
/// </summary>
/// <remarks>
/// <para>Inference (<see cref="EmbeddingModel.EncodeTokenized"/>, the transformer's <c>Transform</c>, validation
/// passes) counts one layer's scores, as each layer's are freed before the next. A gradient-cache chunk forward with
/// autograd keeps every layer's, so its chunks count <c>n x h x L^2 x layers</c>. A batch always holds at least one
/// text; a single text above the per-layer budget is refused with an <see cref="ArgumentException"/>.</para>
/// <para>At the budget, one attention-score tensor is 1 GiB of float32; the softmax and dropout around it make the peak of
/// one layer about three times that. docs/reliability.md gives the figures.</para>
/// </remarks>
internal static class AttentionBudget
{
    /// <summary>The most attention scores (<c>rows x heads x length^2</c>) of one layer in one forward pass: 2^28.</summary>
    public const long MaxScores = 1L << 28;

    /// <summary>The most positions of a Transformer trained from scratch (its position table): 8192.</summary>
    public const int MaxPositions = 8192;

    /// <summary>Returns the attention scores of <paramref name="rows"/> texts padded to <paramref name="length"/> tokens.</summary>
    /// <param name="rows">The texts in the batch.</param>
    /// <param name="length">The padded length.</param>
    /// <param name="scoresPerSquaredLength">Heads (times layers for a forward with autograd); 0 for an encoder without attention.</param>
    /// <returns><c>rows x scoresPerSquaredLength x length^2</c>, saturated at <see cref="long.MaxValue"/>.</returns>
    public static long Scores(long rows, long length, long scoresPerSquaredLength)
    {
        var scores = (double)rows * scoresPerSquaredLength * length * length;
        return scores >= long.MaxValue ? long.MaxValue : (long)scores;
    }

    /// <summary>Returns what one row of squared length costs for <paramref name="encoder"/>: its heads, times its layers
    /// when <paramref name="withAutograd"/>; 0 for an encoder without attention, and for a module that is not one of the
    /// library's encoders (its cost is unknown: its batches are not split).</summary>
    /// <param name="encoder">The encoder.</param>
    /// <param name="withAutograd">Whether the forward keeps every layer's activations for a backward.</param>
    /// <returns>The factor for <see cref="Scores"/>.</returns>
    public static long ScoresPerSquaredLength(TorchSharp.torch.nn.Module encoder, bool withAutograd) =>
        encoder is TextEncoder known ? known.AttentionScoresPerSquaredLength(withAutograd) : 0;

    /// <summary>
    /// Checks a maximum token count against an encoder's position table and against the budget for one text: the single
    /// rule behind the <c>MaxTokens</c> options.
    /// </summary>
    /// <param name="maxTokens">The maximum tokens per text.</param>
    /// <param name="maxPositions">The encoder's position table (<see cref="MaxPositions"/> for a new Transformer, the
    /// checkpoint's <c>max_position_embeddings</c> for a pretrained one).</param>
    /// <param name="heads">The attention heads.</param>
    /// <param name="optionName">The public name of the option, for the message.</param>
    /// <exception cref="ArgumentOutOfRangeException">The count exceeds the position table, or one text of that length
    /// exceeds <see cref="MaxScores"/> (the message names the option and the limit).</exception>
    public static void CheckMaxTokens(int maxTokens, int maxPositions, int heads, string optionName)
    {
        if (maxTokens > maxPositions)
        {
            throw new ArgumentOutOfRangeException(optionName, maxTokens,
                $"{optionName} is {maxTokens:N0} but the encoder has {maxPositions:N0} positions: at most {maxPositions:N0} tokens per text.");
        }

        if (Scores(1, maxTokens, heads) > MaxScores)
        {
            var longest = LongestText(heads);
            throw new ArgumentOutOfRangeException(optionName, maxTokens,
                $"{optionName} is {maxTokens:N0}: one text that long needs {Scores(1, maxTokens, heads):N0} attention scores ({heads} heads), above the budget of {MaxScores:N0}; at most {longest:N0} tokens per text with {heads} heads.");
        }
    }

    /// <summary>Returns the longest text one forward pass through <paramref name="heads"/> heads may hold within the budget.</summary>
    /// <param name="heads">The attention heads.</param>
    /// <returns><c>floor(sqrt(MaxScores / heads))</c> tokens.</returns>
    public static int LongestText(int heads) => (int)Math.Floor(Math.Sqrt((double)MaxScores / heads));

    /// <summary>
    /// Cuts <paramref name="order"/> into consecutive batches of at most <paramref name="maxRows"/> texts whose padded
    /// attention scores stay within <see cref="MaxScores"/> (each batch padded to its longest text).
    /// </summary>
    /// <param name="order">The texts' indices in the order to batch them (sorted by length wastes least padding).</param>
    /// <param name="length">The token count of text <c>i</c>.</param>
    /// <param name="maxRows">The most texts per batch.</param>
    /// <param name="scoresPerSquaredLength">From <see cref="ScoresPerSquaredLength"/>.</param>
    /// <returns>The batches, in order; together they hold every index once.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="order"/> or <paramref name="length"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxRows"/> is not positive.</exception>
    public static IReadOnlyList<int[]> Batches(IEnumerable<int> order, Func<int, int> length, int maxRows, long scoresPerSquaredLength)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        var batches = new List<int[]>();
        var current = new List<int>();
        var longest = 0;
        foreach (var i in order)
        {
            var l = length(i);
            var padded = Math.Max(longest, l);
            if (current.Count > 0 && (current.Count == maxRows || Scores(current.Count + 1, padded, scoresPerSquaredLength) > MaxScores))
            {
                batches.Add(current.ToArray());
                current.Clear();
                longest = 0;
                padded = l;
            }

            current.Add(i);
            longest = padded;
        }

        if (current.Count > 0)
        {
            batches.Add(current.ToArray());
        }

        return batches;
    }

    /// <summary>Throws unless one forward pass of <paramref name="rows"/> texts of <paramref name="length"/> tokens through
    /// <paramref name="heads"/> heads fits the per-layer budget.</summary>
    /// <param name="rows">The texts.</param>
    /// <param name="length">The padded length.</param>
    /// <param name="heads">The attention heads.</param>
    /// <exception cref="ArgumentException">The batch exceeds <see cref="MaxScores"/>.</exception>
    public static void CheckBatch(long rows, long length, int heads)
    {
        var scores = Scores(rows, length, heads);
        if (scores > MaxScores)
        {
            throw new ArgumentException(
                $"A batch of {rows:N0} texts of {length:N0} tokens needs {scores:N0} attention scores per layer ({heads} heads), above the budget of {MaxScores:N0} (AttentionBudget.MaxScores): split it (AttentionBudget.Batches) or shorten the texts.",
                "inputIds");
        }
    }
}
