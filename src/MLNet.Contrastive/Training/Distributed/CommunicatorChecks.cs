namespace MLNet.Contrastive.Training.Distributed;

/// <summary>Argument checks shared by the communicators (before any collective call, so a bad call fails on its own rank).</summary>
internal static class CommunicatorChecks
{
    public static void CheckGather(ICommunicator communicator, float[] local, int[] counts)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Length != communicator.Size)
        {
            throw new ArgumentException($"Expected one count per rank ({communicator.Size}), got {counts.Length}.", nameof(counts));
        }

        if (counts.Any(c => c < 0))
        {
            throw new ArgumentException($"Counts must be >= 0, got [{string.Join(", ", counts)}].", nameof(counts));
        }

        if (local.Length != counts[communicator.Rank])
        {
            throw new ArgumentException(
                $"Rank {communicator.Rank} passes {local.Length} values but counts[{communicator.Rank}] is {counts[communicator.Rank]}.", nameof(local));
        }
    }

    public static void CheckRoot(ICommunicator communicator, int root)
    {
        if (root < 0 || root >= communicator.Size)
        {
            throw new ArgumentOutOfRangeException(nameof(root), root, $"Expected a rank in [0, {communicator.Size}).");
        }
    }
}
