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
                // Tensor.normal_ honours the generator; nn.init.normal_ ignores it in TorchSharp 0.107.
                parameter.normal_(0.0, 0.02, generator);
            }
        }
    }
}
