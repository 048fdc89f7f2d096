using MLNet.Contrastive.Runtime;
using MLNet.Contrastive.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Encoders;

/// <summary>
/// A text embedding model: tokenizer, optional <see cref="Text.VocabularyMap"/>, encoder and device, with batched
/// inference and one self-contained, versioned save format (see docs/encoders.md).
/// </summary>
public sealed partial class EmbeddingModel : IDisposable
{
    /// <summary>Initializes a new instance of the <see cref="EmbeddingModel"/> class; moves the encoder to the device.</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="encoder">The encoder; the model owns it from now on.</param>
    /// <param name="vocabularyMap">The map from tokenizer ids to the encoder's rows, or null when the encoder takes tokenizer ids.</param>
    /// <param name="device">Where to run.</param>
    /// <param name="truncatedDimension">The size of the embeddings the model gives: the first values of the encoder's
    /// (normalised again when the encoder normalises), or <see langword="null"/> for the encoder's whole embeddings.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tokenizer"/> or <paramref name="encoder"/> is null.</exception>
    /// <exception cref="ArgumentException">The encoder's vocabulary or maximum length does not fit the tokenizer (or map).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="truncatedDimension"/> is not in 1 .. the encoder's dimension.</exception>
    /// <exception cref="InvalidOperationException">CUDA was requested but is not available.</exception>
    internal EmbeddingModel(TextTokenizer tokenizer, TextEncoder encoder, VocabularyMap? vocabularyMap = null, DeviceKind device = DeviceKind.Auto, int? truncatedDimension = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(encoder);
        if (truncatedDimension is { } truncated && (truncated < 1 || truncated > encoder.Dimension))
        {
            throw new ArgumentOutOfRangeException("TruncatedDimension", truncated,
                $"TruncatedDimension ({truncated}) must be between 1 and the encoder's dimension ({encoder.Dimension}).");
        }

        var rows = vocabularyMap?.Count ?? tokenizer.VocabularySize;
        if (encoder.VocabularySize < rows)
        {
            throw new ArgumentException($"The encoder has {encoder.VocabularySize} embedding rows but the {(vocabularyMap is null ? "tokenizer" : "vocabulary map")} produces ids up to {rows - 1}.", nameof(encoder));
        }

        if (encoder.MaxLength < tokenizer.MaxTokens)
        {
            throw new ArgumentException($"The encoder takes at most {encoder.MaxLength} tokens but the tokenizer's MaxTokens is {tokenizer.MaxTokens}.", nameof(encoder));
        }

        Tokenizer = tokenizer;
        Encoder = encoder;
        VocabularyMap = vocabularyMap;
        TruncatedDimension = truncatedDimension == encoder.Dimension ? null : truncatedDimension;
        Device = TorchDevice.Resolve(device);
        Encoder.to(Device);
    }

    /// <summary>Gets the tokenizer.</summary>
    internal TextTokenizer Tokenizer { get; }

    /// <summary>Gets the encoder (train it through this property; it lives on <see cref="Device"/>).</summary>
    internal TextEncoder Encoder { get; }

    /// <summary>Gets the vocabulary map, or null when the encoder takes tokenizer ids directly.</summary>
    internal VocabularyMap? VocabularyMap { get; }

    /// <summary>Gets the device the encoder lives on.</summary>
    internal Device Device { get; }

    /// <summary>Gets the size of the embeddings (a model trained with Matryoshka dimensions may give a prefix of its encoder's).</summary>
    public int Dimension => TruncatedDimension ?? Encoder.Dimension;

    /// <summary>Gets the size of the prefix of the encoder's embeddings the model gives, or <see langword="null"/> when it
    /// gives them whole.</summary>
    internal int? TruncatedDimension { get; }

    /// <summary>Gets the id written into padding positions of the encoder's input (after vocabulary mapping).</summary>
    internal long PaddingId => VocabularyMap?.UnseenId ?? Tokenizer.PaddingId;

    /// <summary>Tokenizes texts into the encoder's ids (vocabulary map applied).</summary>
    /// <param name="texts">The texts.</param>
    /// <returns>One id sequence per text, never empty.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">A text is null (the message gives its position).</exception>
    internal IReadOnlyList<int[]> Tokenize(IReadOnlyList<string> texts) => Tokenize(texts, out _);

    /// <summary>Tokenizes texts into the encoder's ids (vocabulary map applied) and counts the truncated ones.</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="truncatedCount">How many texts were longer than <see cref="TextTokenizer.MaxTokens"/>.</param>
    /// <returns>One id sequence per text, never empty.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">A text is null (the message gives its position).</exception>
    internal IReadOnlyList<int[]> Tokenize(IReadOnlyList<string> texts, out int truncatedCount)
    {
        var tokenized = Tokenizer.EncodeBatch(texts);
        truncatedCount = tokenized.TruncatedCount;
        return VocabularyMap is null ? tokenized.Sequences : tokenized.Sequences.Select(VocabularyMap.Map).ToArray();
    }

    /// <summary>Pads tokenized texts into a batch on <see cref="Device"/>.</summary>
    /// <param name="sequences">Ids from <see cref="Tokenize(IReadOnlyList{string})"/>.</param>
    /// <returns>The batch (the caller disposes it).</returns>
    /// <exception cref="ArgumentException">No sequence, or a null one.</exception>
    internal TokenBatch Collate(IReadOnlyList<int[]> sequences) => TokenBatch.Collate(sequences, PaddingId, Device);

    /// <summary>Embeds texts in batches, without autograd and in eval mode (the previous mode is restored).</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="batchSize">Texts per forward pass.</param>
    /// <param name="cancellationToken">Stops the work before the next forward pass.</param>
    /// <returns>One vector of <see cref="Dimension"/> floats per text, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">A text is null (the message gives its position).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public float[][] Encode(IReadOnlyList<string> texts, int batchSize = 64, CancellationToken cancellationToken = default) =>
        EncodeCountingTokens(texts, batchSize, cancellationToken, out _);

    /// <summary>Embeds texts as <see cref="Encode"/> does (the same computation, bit for bit) and counts the tokens encoded.</summary>
    internal float[][] EncodeCountingTokens(IReadOnlyList<string> texts, int batchSize, CancellationToken cancellationToken, out long tokenCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var sequences = Tokenize(texts);
        tokenCount = sequences.Sum(s => (long)s.Length);
        return EncodeTokenized(sequences, batchSize, cancellationToken);
    }

    /// <summary>Embeds already tokenized texts (ids from <see cref="Tokenize(IReadOnlyList{string})"/>) in batches, without
    /// autograd and in eval mode (the previous mode is restored).</summary>
    /// <param name="sequences">The encoder's ids of each text (vocabulary map applied).</param>
    /// <param name="batchSize">Texts per forward pass.</param>
    /// <param name="cancellationToken">Stops the work before the next forward pass.</param>
    /// <returns>One vector of <see cref="Dimension"/> floats per text, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sequences"/> is null.</exception>
    /// <exception cref="ArgumentException">A sequence is null, longer than the encoder takes, or holds an id outside the embedding table.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>A batch of long texts is split further so that its attention scores stay within <see cref="AttentionBudget.MaxScores"/>.</remarks>
    internal float[][] EncodeTokenized(IReadOnlyList<int[]> sequences, int batchSize = 64, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var result = new float[sequences.Count][];

        // Sorting by length wastes less padding; each text's vector does not depend on its batch.
        var order = Enumerable.Range(0, sequences.Count).OrderBy(i => sequences[i]?.Length ?? throw new ArgumentException($"Sequence {i} is null.", nameof(sequences))).ToArray();
        CheckIds(sequences);

        // Batches of long texts are split so that their attention scores stay within AttentionBudget.MaxScores.
        var batches = AttentionBudget.Batches(order, i => sequences[i].Length, batchSize, AttentionBudget.ScoresPerSquaredLength(Encoder, withAutograd: false));
        var wasTraining = Encoder.training;
        Encoder.eval();
        try
        {
            using var noGrad = no_grad();
            foreach (var indices in batches)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                using var batch = Collate(indices.Select(i => sequences[i]).ToArray());
                var vectors = Truncate(Encoder.call(batch.InputIds, batch.AttentionMask)).to(ScalarType.Float32).cpu().contiguous();
                ForwardPasses++;
                var flat = vectors.data<float>().ToArray();
                for (var row = 0; row < indices.Length; row++)
                {
                    result[indices[row]] = flat.AsSpan(row * Dimension, Dimension).ToArray();
                }
            }
        }
        finally
        {
            Encoder.train(wasTraining);
        }

        return result;
    }

    /// <summary>The embeddings the model gives from the encoder's <c>[n, D]</c> output: its first <see cref="TruncatedDimension"/>
    /// values, normalised again when the encoder normalises (a prefix of a unit vector is not one).</summary>
    internal Tensor Truncate(Tensor embeddings)
    {
        if (TruncatedDimension is not { } dimension)
        {
            return embeddings;
        }

        var prefix = embeddings.narrow(1, 0, dimension);
        return Encoder.NormalizesOutput ? nn.functional.normalize(prefix, 2.0, 1) : prefix;
    }

    /// <summary>Gets how many forward passes the Encode methods ran (one per batch); for tests.</summary>
    internal int ForwardPasses { get; private set; }

    /// <inheritdoc />
    public void Dispose() => Encoder.Dispose();

    // An id outside the embedding table would fail inside libtorch, which aborts the process: check first.
    private void CheckIds(IReadOnlyList<int[]> sequences)
    {
        var rows = Encoder.VocabularySize;
        for (var i = 0; i < sequences.Count; i++)
        {
            foreach (var id in sequences[i])
            {
                if (id < 0 || id >= rows)
                {
                    throw new ArgumentException($"Sequence {i} holds token id {id}, outside the encoder's {rows} embedding rows.", nameof(sequences));
                }
            }
        }
    }
}
