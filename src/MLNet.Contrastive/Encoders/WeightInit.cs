using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>BERT's initialisation: weights ~ N(0, 0.02), biases 0, LayerNorm weights 1.</summary>
internal static class WeightInit
{
    /// <summary>Re-initialises every parameter of <paramref name="module"/>.</summary>
    /// <param name="module">The module.</param>
    /// <param name="seed">The seed of a private generator; <see langword="null"/> uses the global one.</param>
    internal static void Bert(nn.Module module, long? seed)
    {
        using var generator = seed is { } s ? new Generator(unchecked((ulong)s)) : null;
        using var noGrad = no_grad();
        foreach (var (name, parameter) in module.named_parameters())
        {
            if (name.EndsWith("LayerNorm.weight", StringComparison.Ordinal))
            {
                nn.init.ones_(parameter);
            }
            else if (name.EndsWith(".bias", StringComparison.Ordinal))
            {
                nn.init.zeros_(parameter);
            }
            else
            {
                // TorchSharp 0.107's nn.init.normal_ ignores its generator argument (the global generator is used),
                // so draw with randn, which honours it: the initial weights then depend on the seed alone.
                using var draw = randn(parameter.shape, dtype: parameter.dtype, generator: generator);
                parameter.copy_(draw.mul_(0.02));
            }
        }
    }
}
