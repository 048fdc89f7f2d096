using static TorchSharp.torch;

namespace MLNet.Contrastive.Training;

/// <summary>
/// Deterministic per-chunk reseeding, so that dropout draws the same masks when a chunk is encoded twice (once without
/// and once with autograd) on the CPU and on CUDA, without snapshotting RNG state (TorchSharp cannot snapshot the
/// CUDA generator).
/// </summary>
internal static class ReplaySeed
{
    /// <summary>Mixes the training seed, step, side and chunk index into one 63-bit seed (SplitMix64 finaliser per input).</summary>
    /// <param name="trainingSeed">The training seed.</param>
    /// <param name="step">The optimisation step.</param>
    /// <param name="side">The side of the batch.</param>
    /// <param name="chunkIndex">The chunk's index within its side.</param>
    /// <returns>A non-negative seed.</returns>
    public static long Mix(long trainingSeed, long step, EncoderSide side, int chunkIndex)
    {
        var h = Scramble((ulong)trainingSeed);
        h = Scramble(h ^ (ulong)step);
        h = Scramble(h ^ (ulong)side);
        h = Scramble(h ^ (ulong)chunkIndex);
        return (long)(h >> 1);
    }

    /// <summary>Seeds the CPU generator and, when CUDA is available, every CUDA generator.</summary>
    /// <param name="seed">The seed.</param>
    public static void Apply(long seed)
    {
        manual_seed(seed);
        if (cuda.is_available())
        {
            cuda.manual_seed_all(seed);
        }
    }

    private static ulong Scramble(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
