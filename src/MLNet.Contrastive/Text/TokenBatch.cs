using static TorchSharp.torch;

namespace MLNet.Contrastive.Text;

/// <summary>
/// Token ids and attention mask of a batch of texts, padded to the longest text of the batch (dynamic padding).
/// </summary>
internal sealed class TokenBatch : IDisposable
{
    private TokenBatch(Tensor inputIds, Tensor attentionMask)
    {
        InputIds = inputIds;
        AttentionMask = attentionMask;
    }

    /// <summary>Gets the token ids, shape <c>[n, L]</c>, <see cref="ScalarType.Int64"/>.</summary>
    public Tensor InputIds { get; }

    /// <summary>Gets the attention mask, shape <c>[n, L]</c>, <see cref="ScalarType.Int64"/>: 1 for tokens, 0 for padding.</summary>
    public Tensor AttentionMask { get; }

    /// <summary>
    /// Pads <paramref name="sequences"/> to a common length and builds the tensors.
    /// </summary>
    /// <param name="sequences">The token ids of each text (already truncated, special tokens included).</param>
    /// <param name="paddingId">The id written into padding positions (masked out, so any valid id works).</param>
    /// <param name="device">Where to put the tensors; <see langword="null"/> for the CPU.</param>
    /// <param name="padTo">Pad to this length instead of the longest sequence (it must not be shorter).</param>
    /// <returns>The batch. The caller disposes it (or lets a dispose scope do so).</returns>
    /// <exception cref="ArgumentException">No sequence, a null sequence, or <paramref name="padTo"/> shorter than a sequence.</exception>
    public static TokenBatch Collate(IReadOnlyList<int[]> sequences, long paddingId, Device? device = null, int? padTo = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0)
        {
            throw new ArgumentException("At least one sequence is needed.", nameof(sequences));
        }

        var longest = 1;
        for (var i = 0; i < sequences.Count; i++)
        {
            var sequence = sequences[i] ?? throw new ArgumentException($"Sequence {i} is null.", nameof(sequences));
            longest = Math.Max(longest, sequence.Length);
        }

        var length = padTo ?? longest;
        if (length < longest)
        {
            throw new ArgumentException($"padTo ({length}) is shorter than the longest sequence ({longest}).", nameof(padTo));
        }

        var ids = new long[sequences.Count * length];
        var mask = new long[sequences.Count * length];
        Array.Fill(ids, paddingId);
        for (var i = 0; i < sequences.Count; i++)
        {
            var sequence = sequences[i];
            var row = i * length;
            for (var j = 0; j < sequence.Length; j++)
            {
                ids[row + j] = sequence[j];
                mask[row + j] = 1;
            }
        }

        var shape = new long[] { sequences.Count, length };
        var target = device ?? CPU;
        return new TokenBatch(tensor(ids, shape).to(target), tensor(mask, shape).to(target));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
    }
}
