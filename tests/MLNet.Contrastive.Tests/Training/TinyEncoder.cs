using MLNet.Contrastive.Encoders;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Tests.Training;

/// <summary>A tiny encoder for tests: embedding, dropout p, mask-aware mean, linear, tanh, linear.</summary>
internal sealed class TinyEncoder : TextEncoder
{
    private readonly Embedding embedding;
    private readonly Dropout dropout;
    private readonly Linear hidden;
    private readonly Linear output;
    private readonly int dimension;

    /// <summary>Creates the encoder; its initial weights come from <paramref name="seed"/> (the global generator is reseeded).</summary>
    public TinyEncoder(long seed, int vocabulary = 32, int width = 8, int dimension = 6, double dropoutProbability = 0.0)
        : base(nameof(TinyEncoder))
    {
        torch.manual_seed(seed);
        embedding = nn.Embedding(vocabulary, width);
        dropout = nn.Dropout(dropoutProbability);
        hidden = nn.Linear(width, width);
        output = nn.Linear(width, dimension);
        this.dimension = dimension;
        RegisterComponents();
    }

    public override int Dimension => dimension;

    /// <summary>Gets or sets a value indicating whether the output is NaN (to provoke divergence).</summary>
    public bool Poisoned { get; set; }

    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var mask = attentionMask.unsqueeze(-1).to(ScalarType.Float32);
        var tokens = dropout.call(embedding.call(inputIds)) * mask;
        var mean = tokens.sum(1) / mask.sum(1).clamp_min(1);
        var result = output.call(hidden.call(mean).tanh());
        return (Poisoned ? result * float.NaN : result).MoveToOuterDisposeScope();
    }
}
