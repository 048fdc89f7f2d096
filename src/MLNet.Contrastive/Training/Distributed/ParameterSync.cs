using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Training.Distributed;

/// <summary>Starts every rank from rank 0's weights, and checks at the end that all ranks hold the same weights.</summary>
internal static class ParameterSync
{
    /// <summary>Overwrites every rank's parameters with rank 0's (one broadcast of one flat buffer).</summary>
    public static void BroadcastFromRoot(ICommunicator communicator, IReadOnlyList<Parameter> parameters)
    {
        if (communicator.Size == 1 || parameters.Count == 0)
        {
            return;
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var values = cat(parameters.Select(p => p.detach().reshape(-1).to(float32).cpu()).ToArray(), 0).data<float>().ToArray();
        communicator.Broadcast(values, root: 0);
        var root = tensor(values);
        long offset = 0;
        foreach (var p in parameters)
        {
            p.copy_(root.narrow(0, offset, p.numel()).view(p.shape).to(p.dtype).to(p.device));
            offset += p.numel();
        }
    }

    /// <summary>A 64-bit FNV-1a hash of the parameters' bytes (order and bits matter).</summary>
    public static long Checksum(IReadOnlyList<Parameter> parameters)
    {
        var hash = 14695981039346656037UL;
        using var scope = NewDisposeScope();
        foreach (var p in parameters)
        {
            foreach (var b in p.detach().cpu().contiguous().bytes)
            {
                hash = (hash ^ b) * 1099511628211UL;
            }
        }

        return (long)hash;
    }

    /// <summary>Gathers every rank's checksum and throws when they differ.</summary>
    /// <exception cref="InvalidOperationException">The ranks ended with different weights.</exception>
    public static long VerifyEqual(ICommunicator communicator, IReadOnlyList<Parameter> parameters)
    {
        var local = Checksum(parameters);
        var all = communicator.AllGather(local);
        if (all.Any(c => c != local))
        {
            throw new InvalidOperationException(
                "Distributed training ended with different weights on different ranks (weight checksums per rank: " +
                $"{string.Join(", ", all.Select((c, r) => $"{r}: {c:x16}"))}). The ranks must see the same data, options and seed; see docs/distributed.md.");
        }

        return local;
    }
}
