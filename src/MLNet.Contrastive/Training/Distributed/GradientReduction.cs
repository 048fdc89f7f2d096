using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Training.Distributed;

/// <summary>Sums parameter gradients over the ranks in one all-reduce of one flat buffer (one collective per step, not one per tensor).</summary>
internal static class GradientReduction
{
    /// <summary>Replaces each parameter's gradient by its sum over the ranks; a missing gradient counts as zero (a rank
    /// that owned no chunk has none) and is created.</summary>
    public static void AllReduceSum(ICommunicator communicator, IReadOnlyList<Parameter> parameters)
    {
        if (communicator.Size == 1 || parameters.Count == 0)
        {
            return;
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var flat = cat(parameters.Select(p => (p.grad ?? zeros_like(p)).reshape(-1).to(float32).cpu()).ToArray(), 0);
        var values = flat.data<float>().ToArray();
        communicator.AllReduceSum(values);
        var summed = tensor(values);
        long offset = 0;
        foreach (var p in parameters)
        {
            var part = summed.narrow(0, offset, p.numel()).view(p.shape).to(p.dtype).to(p.device);
            offset += p.numel();
            if (p.grad is { } grad)
            {
                grad.copy_(part);
            }
            else
            {
                p.grad = part.clone();
            }
        }
    }
}
