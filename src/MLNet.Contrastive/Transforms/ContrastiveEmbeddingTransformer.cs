using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Transforms;

[assembly: LoadableClass(typeof(ContrastiveEmbeddingTransformer), null, typeof(SignatureLoadModel),
    ContrastiveEmbeddingTransformer.UserName, ContrastiveEmbeddingTransformer.LoaderSignature)]

[assembly: LoadableClass(typeof(IRowMapper), typeof(ContrastiveEmbeddingTransformer), null, typeof(SignatureLoadRowMapper),
    ContrastiveEmbeddingTransformer.UserName, ContrastiveEmbeddingTransformer.LoaderSignature)]

namespace MLNet.Contrastive.Transforms;

/// <summary>
/// The fitted contrastive embedding: adds one <c>Vector&lt;Single, D&gt;</c> column per (output, input) text column
/// pair. Lazy; <see cref="Transform"/> encodes rows in batches inside its cursors; safe to use from several threads.
/// </summary>
/// <remarks>
/// <para>Saved with <c>mlContext.Model.Save</c> and loaded with <c>mlContext.Model.Load</c> in any process, with no
/// registration call (see docs/persistence.md). Dispose it to free the model's native memory.</para>
/// <para><c>mlContext.Model.Save</c> writes the file in place: if it fails midway (weights that are NaN or infinite, a
/// model trained with a <c>Tokenizer</c> instance) it leaves a short file that does not load, instead of the previous
/// model. <c>mlContext.Model.SaveAtomically</c> keeps the previous file. <see cref="Load"/> and <see cref="TryLoad"/>
/// report every bad model as an <see cref="InvalidDataException"/>.</para>
/// <para>Thread safety: the transformer and the views <see cref="Transform"/> returns may be used from several threads
/// (encoding is serialised; 8 threads give bit-identical vectors). A <c>PredictionEngine</c> is not thread-safe (ML.NET
/// documents it so): create one per thread, or use <c>PredictionEnginePool</c>.</para>
/// </remarks>
public sealed partial class ContrastiveEmbeddingTransformer : RowToRowTransformerBase, ITransformer, IDisposable
{
    internal const string LoaderSignature = "ContrastiveEmbedding";
    internal const string UserName = "Contrastive Embedding Transformer";
    internal const string ModelStreamName = "EmbeddingModel";
    internal const int DefaultTransformBatchSize = 64;

    /// <summary>The largest transform batch: a forward pass of this many texts is already far beyond what pays on a CPU,
    /// and a read-ahead block holds at least one batch of rows.</summary>
    internal const int MaxTransformBatchSize = 65_536;
    internal const string ModelCardStreamName = "ModelCard.json";

    private readonly EmbeddingModel model;
    private readonly InputOutputColumnPair[] columns;
    private readonly string[] prefixes;
    private readonly object gate = new();
    private int transformBatchSize = DefaultTransformBatchSize;
    private bool disposed;

    internal ContrastiveEmbeddingTransformer(IHostEnvironment env, EmbeddingModel model, IEnumerable<InputOutputColumnPair> columns, IReadOnlyList<string> prefixes)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(ContrastiveEmbeddingTransformer)))
    {
        this.model = model;
        this.columns = columns.Select(c => new InputOutputColumnPair(c.OutputColumnName, c.InputColumnName)).ToArray();
        this.prefixes = prefixes.ToArray();
        Contracts.Check(this.prefixes.Length == this.columns.Length, "one prefix per column pair");
        OutputType = new VectorDataViewType(NumberDataViewType.Single, model.Dimension);
    }

    /// <summary>Gets the size of the embeddings.</summary>
    public int Dimension => model.Dimension;

    /// <summary>Gets the (output, input) column pairs this transformer embeds.</summary>
    public IReadOnlyList<InputOutputColumnPair> ColumnPairs => columns;

    /// <summary>
    /// Gets the text put before the input of each column pair (same order as <see cref="ColumnPairs"/>): the query
    /// prefix for query columns, the document prefix for the others, empty for none.
    /// </summary>
    public IReadOnlyList<string> ColumnPrefixes => prefixes;

    /// <summary>Gets the type of every output column: <c>Vector&lt;Single, <see cref="Dimension"/>&gt;</c>.</summary>
    public VectorDataViewType OutputType { get; }

    /// <summary>Gets what training did, for a transformer returned by <see cref="ContrastiveEmbeddingEstimator.Fit"/>; <see langword="null"/> for a loaded one.</summary>
    public TrainingSummary? TrainingSummary { get; internal init; }

    /// <summary>Gets what the model is (base model, tokenizer, shape, loss, training run); saved with the model. <see langword="null"/>
    /// for a model loaded from a zip written before the card existed (format 1.1).</summary>
    public ModelCard? ModelCard { get; internal init; }

    /// <summary>Gets how many rows a cursor of <see cref="Transform"/> reads ahead and encodes in one call.</summary>
    internal int ReadAheadRows { get; set; } = 1024;

    /// <summary>
    /// Gets how many texts one forward pass of <see cref="Transform"/> encodes; a read-ahead block is sorted by length and
    /// cut into such batches (<see cref="ContrastiveEmbeddingOptions.TransformBatchSize"/>; saved with the model).
    /// </summary>
    public int TransformBatchSize
    {
        get => transformBatchSize;

        // Set by Fit and Load; tests change it to exercise batching.
        internal set
        {
            transformBatchSize = value;
            ReadAheadRows = Math.Max(ReadAheadRows, value);
        }
    }

    /// <summary>Gets the model (for benchmarks that compare the transform with the raw model).</summary>
    internal EmbeddingModel Model => model;

    /// <summary>Gets how many times the model was called (each call encodes a batch); for tests.</summary>
    internal int EncodeCalls { get; private set; }

    /// <summary>Adds the embedding columns to <paramref name="input"/>, lazily; rows are encoded in batches.</summary>
    /// <param name="input">A data view with the input text columns.</param>
    /// <returns>A data view with the input columns followed by the embedding columns.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or is not of type <c>String</c>.</exception>
    public new IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new BatchedEmbeddingDataView(this, input);
    }

    /// <summary>Encodes the texts of column pair <paramref name="column"/> (its prefix put first); serialised by a lock because the model is not thread-safe.</summary>
    internal float[][] Encode(IReadOnlyList<string> texts, int column) => EncodeCountingTokens(texts, column, CancellationToken.None, out _);

    /// <summary>Encodes texts as <see cref="Transform"/> does for column pair <paramref name="column"/> (the same call, so
    /// the same bits for the same block of texts), checking <paramref name="cancellationToken"/> between forward passes;
    /// used by the embedding generator.</summary>
    internal float[][] EncodeCountingTokens(IReadOnlyList<string> texts, int column, CancellationToken cancellationToken, out long tokenCount)
    {
        var prefix = prefixes[column];
        var input = prefix.Length == 0 ? texts : texts.Select(t => prefix + t).ToArray();
        lock (gate)
        {
            EncodeCalls++;
            ObjectDisposedException.ThrowIf(disposed, this);
            return model.EncodeCountingTokens(input, TransformBatchSize, cancellationToken, out tokenCount);
        }
    }

    /// <summary>
    /// Writes the embedding model as an ONNX graph that ONNX Runtime, ML.NET's <c>ApplyOnnxModel</c> or the
    /// SentenceTransformers packages can run (outputs <c>last_hidden_state</c> and <c>sentence_embedding</c>; with a
    /// BERT tokenizer, its vocab.txt beside it); see <see cref="EmbeddingModel.ExportToOnnx(string)"/> and docs/onnx-export.md.
    /// </summary>
    /// <param name="path">The .onnx file to write (replaced if it exists; never left half-written).</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or white space, or is named like the vocabulary file.</exception>
    /// <exception cref="NotSupportedException">The encoder cannot be exported (the message names its type).</exception>
    /// <exception cref="DirectoryNotFoundException">The directory of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException">Writing failed.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be written.</exception>
    /// <exception cref="ObjectDisposedException">The transformer was disposed.</exception>
    public void ExportToOnnx(string path)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            model.ExportToOnnx(path);
        }
    }

    /// <summary>Writes the embedding model as an ONNX graph to a stream (left open; no vocabulary); see <see cref="ExportToOnnx(string)"/>.</summary>
    /// <param name="stream">The destination.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="NotSupportedException">The encoder cannot be exported (the message names its type).</exception>
    /// <exception cref="IOException">Writing to the stream failed.</exception>
    /// <exception cref="ObjectDisposedException">The transformer was disposed.</exception>
    public void ExportToOnnx(Stream stream)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            model.ExportToOnnx(stream);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (gate)
        {
            if (!disposed)
            {
                disposed = true;
                model.Dispose();
            }
        }
    }

    /// <inheritdoc />
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new EmbeddingRowMapper(this, schema);

    /// <inheritdoc />
    protected override void SaveModel(ModelSaveContext ctx) => SaveTo(ctx);

    /// <summary>Writes the transformer (format: docs/persistence.md).</summary>
    internal void SaveTo(ModelSaveContext ctx)
    {
        Host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());

        // int32: number of column pairs; per pair: int32 string id of output name, int32 string id of input name
        // int32: dimension. Since 1.2: int32 transform batch size. Binary stream "EmbeddingModel": the EmbeddingModel's own format.
        ctx.Writer.Write(columns.Length);
        foreach (var pair in columns)
        {
            ctx.SaveNonEmptyString(pair.OutputColumnName);
            ctx.SaveNonEmptyString(pair.InputColumnName);
        }

        ctx.Writer.Write(model.Dimension);

        // Since 1.2: per pair, int32 string id of its prefix (-1 for none).
        foreach (var prefix in prefixes)
        {
            ctx.SaveStringOrNull(prefix.Length == 0 ? null : prefix);
        }
        // Since 1.2, after the prefixes: the transform batch size.
        ctx.Writer.Write(TransformBatchSize);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            ctx.SaveBinaryStream(ModelStreamName, writer =>
            {
                writer.Flush();
                model.Save(writer.BaseStream);
            });
        }

        // Text entry "ModelCard.json" (format 1.2), only when the transformer has a card.
        ModelCardEntry.Save(ctx, ModelCardStreamName, ModelCard);
    }

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "CNTREMBD",
        verWrittenCur: 0x00010002, // 1.1: initial format; 1.2: a text prefix per column pair, then the transform batch size; optional "ModelCard.json" entry
        verReadableCur: 0x00010002,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(ContrastiveEmbeddingTransformer).Assembly.FullName);

    // Factory for SignatureLoadModel.
    private static ContrastiveEmbeddingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        SavedByVersion.CheckReadable(ctx.Header.ModelVerReadable, GetVersionInfo().VerWrittenCur, ctx.LoaderAssemblyName);
        ctx.CheckAtModel(GetVersionInfo());

        var count = ctx.Reader.ReadInt32();
        if (count <= 0 || count > 10_000)
        {
            throw new InvalidDataException($"Corrupt contrastive embedding model: {count} column pairs.");
        }

        var columns = new InputOutputColumnPair[count];
        for (var i = 0; i < count; i++)
        {
            var output = ctx.LoadNonEmptyString();
            var input = ctx.LoadNonEmptyString();
            columns[i] = new InputOutputColumnPair(output, input);
        }

        var dimension = ctx.Reader.ReadInt32();
        var prefixes = ctx.Header.ModelVerWritten >= 0x00010002
            ? columns.Select(_ => ctx.LoadStringOrNull() ?? string.Empty).ToArray()
            : columns.Select(_ => string.Empty).ToArray();
        var batchSize = ctx.Header.ModelVerWritten >= 0x00010002 ? ctx.Reader.ReadInt32() : DefaultTransformBatchSize;
        if (batchSize is <= 0 or > MaxTransformBatchSize)
        {
            throw new InvalidDataException($"Corrupt contrastive embedding model: transform batch size {batchSize:N0} (expected 1 to {MaxTransformBatchSize:N0}).");
        }

        EmbeddingModel? model = null;
        bool found;
        try
        {
            found = ctx.TryLoadBinaryStream(ModelStreamName, reader => model = EmbeddingModel.Load(reader.BaseStream));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            model?.Dispose();
            throw new InvalidDataException($"Corrupt contrastive embedding model: the '{ModelStreamName}' stream could not be read ({e.Message}).", e);
        }

        if (!found)
        {
            throw new InvalidDataException($"Corrupt contrastive embedding model: the '{ModelStreamName}' stream is missing.");
        }

        if (model!.Dimension != dimension)
        {
            var actual = model.Dimension;
            model.Dispose();
            throw new InvalidDataException($"Corrupt contrastive embedding model: header says dimension {dimension}, the model has {actual}.");
        }

        return new ContrastiveEmbeddingTransformer(env, model, columns, prefixes)
        {
            TransformBatchSize = batchSize, ModelCard = ModelCardEntry.Load(ctx, ModelCardStreamName, model),
        };
    }

    // Factory for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);
}
