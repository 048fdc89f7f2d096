using MLNet.Contrastive.Encoders;
using Parameter = TorchSharp.Modules.Parameter;

namespace MLNet.Contrastive.Training;

/// <summary>
/// Which encoder parameters a training run updates, and which of those take weight decay: freezing of the embeddings
/// and of the lowest Transformer layers, and Hugging Face's rule of no decay on biases and LayerNorm parameters.
/// </summary>
/// <remarks>
/// <para>Freezing works by name (the encoders use Hugging Face BERT's names): <c>embeddings.*</c> for the embeddings of
/// both encoders, <c>encoder.layer.{i}.*</c> for Transformer layer <c>i</c>. A frozen parameter gets
/// <c>requires_grad = false</c> for the run: it gets no gradient and no optimizer state. When everything below the
/// lowest trainable layer is frozen (the embeddings too), autograd records nothing there and the gradient cache's
/// backward pass stops at that layer; while the embeddings train, the backward still runs through the frozen layers to
/// reach them. <see cref="Restore"/> turns gradients back on.</para>
/// <para>Decay: a parameter whose name ends in <c>.bias</c> or contains <c>LayerNorm</c> is optimised without weight
/// decay, as in BERT's and sentence-transformers' fine-tuning recipes; every other trainable parameter takes it.</para>
/// </remarks>
internal sealed class TrainableParameters
{
    private readonly Parameter[] frozen;

    private TrainableParameters(Parameter[] decay, Parameter[] noDecay, Parameter[] frozen)
    {
        Decay = decay;
        NoDecay = noDecay;
        this.frozen = frozen;
    }

    /// <summary>Gets the trainable parameters that take weight decay.</summary>
    public Parameter[] Decay { get; }

    /// <summary>Gets the trainable parameters without weight decay (biases and LayerNorm).</summary>
    public Parameter[] NoDecay { get; }

    /// <summary>Gets every trainable parameter.</summary>
    public IEnumerable<Parameter> All => Decay.Concat(NoDecay);

    /// <summary>Splits the encoders' parameters and freezes what the options ask.</summary>
    /// <param name="encoders">The query encoder and, with two towers, the document encoder.</param>
    /// <param name="freezeEmbeddings">Whether <c>embeddings.*</c> is frozen.</param>
    /// <param name="frozenLayers">How many of the lowest Transformer layers are frozen.</param>
    /// <exception cref="ArgumentOutOfRangeException">More layers are frozen than an encoder has, or nothing would be trained.</exception>
    public static TrainableParameters Select(IReadOnlyList<TextEncoder> encoders, bool freezeEmbeddings, int frozenLayers)
    {
        Check(encoders, freezeEmbeddings, frozenLayers);
        var decay = new List<Parameter>();
        var noDecay = new List<Parameter>();
        var frozen = new List<Parameter>();
        foreach (var encoder in encoders)
        {
            foreach (var (name, parameter) in encoder.named_parameters())
            {
                if (!parameter.requires_grad)
                {
                    continue;
                }

                if (IsFrozen(name, freezeEmbeddings, frozenLayers))
                {
                    frozen.Add(parameter);
                }
                else if (name.EndsWith(".bias", StringComparison.Ordinal) || name.Contains("LayerNorm", StringComparison.Ordinal))
                {
                    noDecay.Add(parameter);
                }
                else
                {
                    decay.Add(parameter);
                }
            }
        }

        foreach (var p in frozen)
        {
            p.requires_grad = false;
        }

        return new TrainableParameters([.. decay], [.. noDecay], [.. frozen]);
    }

    /// <summary>Checks, without changing anything, that the encoders have the layers to freeze and that something is left to train.</summary>
    /// <exception cref="ArgumentOutOfRangeException">More layers are frozen than an encoder has, or nothing would be trained.</exception>
    public static void Check(IReadOnlyList<TextEncoder> encoders, bool freezeEmbeddings, int frozenLayers)
    {
        foreach (var encoder in encoders)
        {
            if (frozenLayers > encoder.LayerCount)
            {
                throw new ArgumentOutOfRangeException("FrozenLayers", frozenLayers,
                    $"The {encoder.GetType().Name} has {encoder.LayerCount} Transformer layers; at most that many can be frozen.");
            }
        }

        var trainable = encoders.SelectMany(e => e.named_parameters()).Count(p => p.parameter.requires_grad && !IsFrozen(p.name, freezeEmbeddings, frozenLayers));
        if (trainable == 0)
        {
            throw new ArgumentOutOfRangeException(freezeEmbeddings ? "FreezeEmbeddings" : "FrozenLayers",
                "Every encoder parameter would be frozen: nothing would be trained. Freeze fewer layers, or leave the embeddings trainable.");
        }
    }

    /// <summary>Turns gradients back on for the parameters <see cref="Select"/> froze.</summary>
    public void Restore()
    {
        foreach (var p in frozen)
        {
            p.requires_grad = true;
        }
    }

    private static bool IsFrozen(string name, bool freezeEmbeddings, int frozenLayers)
    {
        if (freezeEmbeddings && name.StartsWith("embeddings.", StringComparison.Ordinal))
        {
            return true;
        }

        const string layerPrefix = "encoder.layer.";
        if (frozenLayers > 0 && name.StartsWith(layerPrefix, StringComparison.Ordinal))
        {
            var end = name.IndexOf('.', layerPrefix.Length);
            return int.TryParse(name.AsSpan(layerPrefix.Length, end - layerPrefix.Length), out var layer) && layer < frozenLayers;
        }

        return false;
    }
}
