using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>Mask-aware pooling of token states, and the encoders' common tail after pooling.</summary>
internal static class Pooling
{
    /// <summary>Pools <c>[n, L, d]</c> states to <c>[n, d]</c>, ignoring positions whose mask is 0.</summary>
    /// <param name="states">The token states.</param>
    /// <param name="attentionMask">The mask, <c>[n, L]</c>, 1 for tokens.</param>
    /// <param name="mode">The pooling.</param>
    /// <returns>The pooled states (in the caller's dispose scope).</returns>
    internal static Tensor Apply(Tensor states, Tensor attentionMask, PoolingMode mode)
    {
        switch (mode)
        {
            case PoolingMode.Cls:
                return states.select(1, 0);
            case PoolingMode.Max:
                var isPad = attentionMask.eq(0).unsqueeze(-1);
                return states.masked_fill(isPad, float.NegativeInfinity).amax([1]);
            default:
                // Padding positions are multiplied by exactly 0, so they add exactly nothing to the sum.
                var mask = attentionMask.unsqueeze(-1).to(states.dtype);
                var sum = (states * mask).sum(1);
                var count = mask.sum(1).clamp_min(1.0);
                return sum / count;
        }
    }

    /// <summary>The common tail of the encoders: the optional projection, then optional L2 normalisation.</summary>
    internal static Tensor ProjectAndNormalize(Tensor pooled, TorchSharp.Modules.Linear? projection, bool normalize)
    {
        var projected = projection is null ? pooled : projection.call(pooled);
        return normalize ? nn.functional.normalize(projected, p: 2.0, dim: 1) : projected;
    }

    /// <summary>Checks the encoder inputs' shapes and types.</summary>
    /// <param name="inputIds">The ids.</param>
    /// <param name="attentionMask">The mask.</param>
    /// <param name="maxLength">The longest sequence allowed, or 0 for no limit.</param>
    /// <exception cref="ArgumentException">A shape or type is wrong.</exception>
    internal static void CheckInputs(Tensor inputIds, Tensor attentionMask, long maxLength)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(attentionMask);
        if (inputIds.dim() != 2 || inputIds.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"Expected int64 ids of shape [n, L]; got {inputIds.dtype} of shape [{string.Join(", ", inputIds.shape)}].", nameof(inputIds));
        }

        if (!inputIds.shape.SequenceEqual(attentionMask.shape))
        {
            throw new ArgumentException($"Expected a mask of the ids' shape [{string.Join(", ", inputIds.shape)}]; got [{string.Join(", ", attentionMask.shape)}].", nameof(attentionMask));
        }

        if (maxLength > 0 && inputIds.shape[1] > maxLength)
        {
            throw new ArgumentException($"Sequences of length {inputIds.shape[1]} exceed the encoder's maximum length {maxLength}; truncate them (TextTokenizer.MaxTokens).", nameof(inputIds));
        }
    }
}
