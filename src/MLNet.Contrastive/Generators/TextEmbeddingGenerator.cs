using Microsoft.Extensions.AI;
using MLNet.Contrastive.Encoders;

namespace MLNet.Contrastive.Generators;

/// <summary>
/// An <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of <see cref="string"/> to <see cref="Embedding{T}"/> of
/// <see cref="float"/> over an <see cref="EmbeddingModel"/> (or, through <c>AsIEmbeddingGenerator</c>, over a fitted or
/// loaded <c>ContrastiveEmbeddingTransformer</c>): the interface that Microsoft.Extensions.AI middleware, vector stores
/// and Semantic Kernel consume (see docs/embedding-generator.md).
/// </summary>
/// <remarks>
/// <para>Batched: the values of one call are encoded in blocks of <see cref="BlockSize"/> texts, each sorted by length and
/// cut into forward passes. Thread-safe: calls from several threads are serialised block by block on the model's lock.
/// Cancellable: the token is checked before each forward pass. The work runs on the thread pool.</para>
/// <para>A text's vector can differ in its last bits with the other texts of its block (a batch pads to its longest text
/// and the BLAS may sum in another order). Over a transformer, blocks are cut exactly as <c>Transform</c> cuts its rows,
/// so the same texts in the same order give Transform's vectors bit for bit.</para>
/// </remarks>
public sealed class TextEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The <see cref="EmbeddingGeneratorMetadata.ProviderName"/> of every generator of this library.</summary>
    public const string ProviderName = "MLNet.Contrastive";

    private const int DefaultBlockSize = 1024;

    private readonly EncodeBlock encode;
    private readonly object underlying;
    private readonly Action? release;
    private int disposed;

    /// <summary>Initializes a new instance of the <see cref="TextEmbeddingGenerator"/> class over a model.</summary>
    /// <param name="model">The model. It is not thread-safe: use it only through this generator while the generator is in use.</param>
    /// <param name="modelId">The model id reported in <see cref="Metadata"/> and on each embedding. Default is
    /// <see langword="null"/>: <c>contrastive-&lt;encoder&gt;-&lt;dimension&gt;</c>, e.g. <c>contrastive-static-128</c>.</param>
    /// <param name="batchSize">Texts per forward pass. Default is 64.</param>
    /// <param name="disposeModel">Whether <see cref="Dispose"/> disposes the model. Default is <see langword="false"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> is empty or white space.</exception>
    public TextEmbeddingGenerator(EmbeddingModel model, string? modelId = null, int batchSize = 64, bool disposeModel = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var gate = new object();
        var disposed = false;
        encode = (IReadOnlyList<string> texts, CancellationToken cancellationToken, out long tokens) =>
        {
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, model);
                return model.EncodeCountingTokens(texts, batchSize, cancellationToken, out tokens);
            }
        };
        underlying = model;
        release = disposeModel
            ? () =>
            {
                lock (gate)
                {
                    disposed = true;
                    model.Dispose();
                }
            }
            : null;
        BlockSize = DefaultBlockSize;
        Metadata = CreateMetadata(modelId ?? DefaultModelId(model), model.Dimension);
    }

    /// <summary>Initializes a generator over another encoder (used for the ML.NET transformer).</summary>
    internal TextEmbeddingGenerator(EncodeBlock encode, int dimension, int blockSize, string modelId, object underlying, Action? release)
    {
        this.encode = encode;
        this.underlying = underlying;
        this.release = release;
        BlockSize = blockSize;
        Metadata = CreateMetadata(modelId, dimension);
    }

    /// <summary>Encodes one block of texts under the encoder's lock.</summary>
    internal delegate float[][] EncodeBlock(IReadOnlyList<string> texts, CancellationToken cancellationToken, out long tokenCount);

    /// <summary>Gets the provider name (<see cref="ProviderName"/>), the model id and the embedding dimension.</summary>
    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <summary>Gets how many texts are encoded under one lock (and sorted by length together).</summary>
    public int BlockSize { get; }

    /// <summary>Embeds <paramref name="values"/>, one <see cref="Embedding{T}"/> per value, in order.</summary>
    /// <param name="values">The texts; none may be null (use "" for an empty text).</param>
    /// <param name="options">Optional: <see cref="EmbeddingGenerationOptions.Dimensions"/> and
    /// <see cref="EmbeddingGenerationOptions.ModelId"/>, when given, must be this model's.</param>
    /// <param name="cancellationToken">Stops the work before the next forward pass.</param>
    /// <returns>The embeddings, with <see cref="GeneratedEmbeddings{TEmbedding}.Usage"/> giving the number of tokens encoded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    /// <exception cref="ArgumentException">A value is null (the message gives its position), or the options ask for
    /// another dimension or model.</exception>
    /// <exception cref="ObjectDisposedException">The generator (or its model) was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (in the returned task).</exception>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        CheckOptions(options);
        var texts = values.ToArray();
        var nullAt = Array.IndexOf(texts, null);
        if (nullAt >= 0)
        {
            throw new ArgumentException($"Value {nullAt} is null; expected a text (use \"\" for an empty text).", nameof(values));
        }

        return Task.Run(() => Generate(texts, cancellationToken), cancellationToken);
    }

    /// <summary>Returns this generator, its <see cref="Metadata"/>, or the model (or transformer) it runs, when asked for by type.</summary>
    /// <param name="serviceType">The type wanted.</param>
    /// <param name="serviceKey">A key; any key other than <see langword="null"/> gives <see langword="null"/>.</param>
    /// <returns>The object, or <see langword="null"/> when none is of that type.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="serviceType"/> is null.</exception>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return Metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : serviceType.IsInstanceOfType(underlying) ? underlying : null;
    }

    /// <summary>Stops the generator; disposes the model (or transformer) too when the generator was asked to own it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            release?.Invoke();
        }
    }

    private static EmbeddingGeneratorMetadata CreateMetadata(string modelId, int dimension)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        return new EmbeddingGeneratorMetadata(ProviderName, providerUri: null, defaultModelId: modelId, defaultModelDimensions: dimension);
    }

    /// <summary>The default model id: <c>contrastive-&lt;encoder&gt;-&lt;dimension&gt;</c>.</summary>
    internal static string DefaultModelId(EmbeddingModel model) => $"contrastive-{model.Encoder.KindName}-{model.Dimension}";

    private void CheckOptions(EmbeddingGenerationOptions? options)
    {
        if (options?.Dimensions is int dimensions && dimensions != Metadata.DefaultModelDimensions)
        {
            throw new ArgumentException(
                $"The options ask for {dimensions} dimensions; this model gives {Metadata.DefaultModelDimensions}.", nameof(options));
        }

        if (options?.ModelId is { } modelId && modelId != Metadata.DefaultModelId)
        {
            throw new ArgumentException($"The options ask for model '{modelId}'; this generator runs '{Metadata.DefaultModelId}'.", nameof(options));
        }
    }

    private GeneratedEmbeddings<Embedding<float>> Generate(string[] texts, CancellationToken cancellationToken)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Length);
        var tokens = 0L;
        var created = DateTimeOffset.UtcNow;
        for (var start = 0; start < texts.Length; start += BlockSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
            var block = new ArraySegment<string>(texts, start, Math.Min(BlockSize, texts.Length - start));
            var vectors = encode(block, cancellationToken, out var blockTokens);
            tokens += blockTokens;
            foreach (var vector in vectors)
            {
                result.Add(new Embedding<float>(vector) { ModelId = Metadata.DefaultModelId, CreatedAt = created });
            }
        }

        result.Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens };
        return result;
    }
}
