using static TorchSharp.torch;

namespace MLNet.Contrastive.Losses;

/// <summary>Index and mask helpers for the row layout of <see cref="ContrastiveLoss"/>.</summary>
internal static class LossRows
{
    /// <summary>Returns the document rows <c>i(1+k)</c> of the positives of queries <c>start .. start+count-1</c>.</summary>
    public static Tensor PositiveRows(int start, int count, int negativesPerQuery, Device device) =>
        arange(start, start + count, dtype: ScalarType.Int64, device: device) * (1 + negativesPerQuery);

    /// <summary>
    /// Builds the <c>[count, columns]</c> mask of logits to drop (true = <c>-inf</c>) for rows <c>start ..</c> whose
    /// candidate column <c>c</c> belongs to row <c>c / stride</c>: other rows of the same group and, for DCL, the row's
    /// own positive (column <c>row * stride</c>), and the entries of <paramref name="extra"/> (row-major over all rows, a
    /// guide's mask; never the row's own positive). Returns <see langword="null"/> when nothing is masked.
    /// </summary>
    public static Tensor? Mask(int start, int count, int stride, int columns, long[]? groups, bool excludePositive, Device device, bool[]? extra = null)
    {
        if (groups is null && !excludePositive && extra is null)
        {
            return null;
        }

        var mask = new bool[count * columns];
        for (var r = 0; r < count; r++)
        {
            var row = start + r;
            for (var c = 0; c < columns; c++)
            {
                var owner = c / stride;
                var sameGroup = groups is not null && owner != row && groups[owner] == groups[row];
                var isPositive = excludePositive && c == row * stride;
                var guided = extra is not null && extra[(row * columns) + c] && c != row * stride;
                mask[(r * columns) + c] = sameGroup || isPositive || guided;
            }
        }

        return tensor(mask, new long[] { count, columns }).to(device);
    }

    /// <summary>
    /// Checks the group ids: one per query, and a negative left for every row. A row whose every other query shares its
    /// group (and that has no hard negative) has no negative: InfoNCE would train on an exact zero for it and DCL on an
    /// empty denominator, so both losses refuse it alike.
    /// </summary>
    /// <exception cref="ArgumentException">The length is not <paramref name="batchSize"/>, or a row has no negative.</exception>
    public static void CheckGroups(long[]? groups, int batchSize, int negativesPerQuery, bool excludePositive, bool symmetric)
    {
        if (groups is not null && groups.Length != batchSize)
        {
            throw new ArgumentException($"Expected one group id per query ({batchSize}), got {groups.Length}.", nameof(groups));
        }

        var counts = new Dictionary<long, int>();
        for (var i = 0; i < batchSize; i++)
        {
            var g = groups?[i] ?? i;
            counts[g] = counts.GetValueOrDefault(g) + 1;
        }

        for (var i = 0; i < batchSize; i++)
        {
            var otherGroups = batchSize - counts[groups?[i] ?? i];
            if (otherGroups == 0 && (negativesPerQuery == 0 || symmetric))
            {
                throw new ArgumentException(
                    $"Row {i} has no negative: every other query of the batch shares its group and it has no hard negative, so its loss would be {(excludePositive ? "undefined (an empty denominator)" : "exactly 0 (nothing to learn)")}; every row needs at least one negative (rows in no group, more groups per batch, or hard negatives).",
                    groups is null ? "queries" : nameof(groups));
            }
        }
    }
}
