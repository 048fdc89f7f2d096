using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Text;

namespace MLNet.Contrastive.Evaluation;

/// <summary>
/// A lexical baseline: ML.NET's <c>FeaturizeText</c> fitted on a set of texts, producing TF-IDF vectors so that the
/// same evaluators and <see cref="CosineIndex"/> run on it as on a trained encoder: sparse (<see cref="EmbedSparse"/>,
/// memory proportional to the n-grams present) or dense (<see cref="Embed(IReadOnlyList{string})"/>, <see cref="Dimension"/>
/// floats per text, up to 60,000 with the defaults).
/// </summary>
/// <remarks>
/// Configuration of <see cref="TextFeaturizingEstimator.Options"/>: word n-grams 1..<see cref="TfIdfBaselineOptions.WordNgramLength"/>
/// and character <see cref="TfIdfBaselineOptions.CharNgramLength"/>-grams, both with
/// <see cref="NgramExtractingEstimator.WeightingCriteria.TfIdf"/> (term count times log(N / document frequency), the
/// document frequencies counted over the fitting texts), no stop-word removal, punctuation, numbers and diacritics
/// kept, and L2 normalisation (<see cref="TextFeaturizingEstimator.NormFunction.L2"/>), which ML.NET applies to the word
/// block and to the character block separately before concatenating them, so each block weighs the same in a cosine.
/// An n-gram present in every fitting text gets IDF 0. Fit on the corpus and the queries together, so that query
/// n-grams have document frequencies.
/// </remarks>
public sealed class TfIdfBaseline
{
    private const string OutputColumn = "Features";
    private readonly MLContext mlContext;

    private TfIdfBaseline(MLContext mlContext, ITransformer transformer, int dimension)
    {
        this.mlContext = mlContext;
        Transformer = transformer;
        Dimension = dimension;
    }

    /// <summary>Gets the fitted ML.NET transformer; it maps a text column named "Text" to a vector column named "Features".</summary>
    public ITransformer Transformer { get; }

    /// <summary>Gets the length of the produced vectors (the number of kept n-grams).</summary>
    public int Dimension { get; }

    /// <summary>Fits the featurizer (vocabulary and document frequencies) on <paramref name="texts"/>.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="texts">The fitting texts, typically the corpus and the queries.</param>
    /// <param name="options">The options; defaults when null.</param>
    /// <returns>The fitted baseline.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mlContext"/>, <paramref name="texts"/> or a text is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="texts"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static TfIdfBaseline Fit(MLContext mlContext, IEnumerable<string> texts, TfIdfBaselineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(texts);
        options ??= new TfIdfBaselineOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.WordNgramLength, nameof(options.WordNgramLength));
        ArgumentOutOfRangeException.ThrowIfNegative(options.CharNgramLength, nameof(options.CharNgramLength));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaximumNgramsPerLength, nameof(options.MaximumNgramsPerLength));
        var rows = ToRows(texts, nameof(texts));
        if (rows.Count == 0)
        {
            throw new ArgumentException("Expected at least one text to fit on.", nameof(texts));
        }

        var featurizer = new TextFeaturizingEstimator.Options
        {
            CaseMode = options.LowerCase ? TextNormalizingEstimator.CaseMode.Lower : TextNormalizingEstimator.CaseMode.None,
            KeepDiacritics = true,
            KeepPunctuations = true,
            KeepNumbers = true,
            StopWordsRemoverOptions = null,
            Norm = TextFeaturizingEstimator.NormFunction.L2,
            WordFeatureExtractor = new WordBagEstimator.Options
            {
                NgramLength = options.WordNgramLength,
                UseAllLengths = true,
                Weighting = NgramExtractingEstimator.WeightingCriteria.TfIdf,
                MaximumNgramsCount = Enumerable.Repeat(options.MaximumNgramsPerLength, options.WordNgramLength).ToArray(),
            },
            CharFeatureExtractor = options.CharNgramLength == 0 ? null : new WordBagEstimator.Options
            {
                NgramLength = options.CharNgramLength,
                UseAllLengths = false,
                Weighting = NgramExtractingEstimator.WeightingCriteria.TfIdf,
                MaximumNgramsCount = [options.MaximumNgramsPerLength], // one length only: ML.NET expects one count
            },
        };
        var estimator = mlContext.Transforms.Text.FeaturizeText(OutputColumn, featurizer, nameof(TfIdfTextRow.Text));
        var data = mlContext.Data.LoadFromEnumerable(rows);
        var transformer = estimator.Fit(data);
        var outputType = transformer.GetOutputSchema(data.Schema)[OutputColumn].Type;
        int dimension = outputType is VectorDataViewType { IsKnownSize: true } vector ? vector.Size : 0;
        return new TfIdfBaseline(mlContext, transformer, dimension);
    }

    /// <summary>Returns the TF-IDF vector of one text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>A dense vector of length <see cref="Dimension"/>; all zeros when no n-gram of the text is known.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public float[] Embed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Embed([text])[0];
    }

    /// <summary>Returns the TF-IDF vectors of several texts, in order, densely; prefer <see cref="EmbedSparse"/> for large corpora.</summary>
    /// <param name="texts">The texts.</param>
    /// <returns>One dense vector of length <see cref="Dimension"/> per text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> or a text is null.</exception>
    public IReadOnlyList<float[]> Embed(IReadOnlyList<string> texts)
    {
        var vectors = new List<float[]>(texts?.Count ?? 0);
        Read(texts, nameof(texts), buffer =>
        {
            var dense = new float[Dimension];
            buffer.CopyTo(dense);
            vectors.Add(dense);
        });
        return vectors;
    }

    /// <summary>
    /// Returns the TF-IDF vectors of several texts, in order, as sparse ML.NET vectors holding only their non-zero values
    /// (indices ascending), for <see cref="CosineIndex(IReadOnlyList{VBuffer{float}})"/> and the sparse
    /// <see cref="RetrievalEvaluator"/> overloads: a 43,000-text corpus takes megabytes instead of gigabytes.
    /// </summary>
    /// <param name="texts">The texts.</param>
    /// <returns>One sparse vector of length <see cref="Dimension"/> per text (no stored value when no n-gram of the text is known).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> or a text is null.</exception>
    public IReadOnlyList<VBuffer<float>> EmbedSparse(IReadOnlyList<string> texts)
    {
        var vectors = new List<VBuffer<float>>(texts?.Count ?? 0);
        Read(texts, nameof(texts), buffer => vectors.Add(NonZeros(buffer)));
        return vectors;
    }

    private void Read(IReadOnlyList<string>? texts, string paramName, Action<VBuffer<float>> add)
    {
        ArgumentNullException.ThrowIfNull(texts, paramName);
        var data = mlContext.Data.LoadFromEnumerable(ToRows(texts, paramName));
        var transformed = Transformer.Transform(data);
        var column = transformed.Schema[OutputColumn];
        using var cursor = transformed.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            add(buffer);
        }
    }

    // A fresh sparse copy (the cursor reuses its buffer) of the non-zero values only, whatever the buffer's representation.
    private VBuffer<float> NonZeros(in VBuffer<float> buffer)
    {
        var values = buffer.GetValues();
        var indices = buffer.GetIndices();
        int count = 0;
        foreach (float v in values)
        {
            count += v != 0 ? 1 : 0;
        }

        var keptValues = new float[count];
        var keptIndices = new int[count];
        int next = 0;
        for (int k = 0; k < values.Length; k++)
        {
            if (values[k] == 0)
            {
                continue;
            }

            keptValues[next] = values[k];
            keptIndices[next++] = buffer.IsDense ? k : indices[k];
        }
        return new VBuffer<float>(Dimension, count, keptValues, keptIndices);
    }

    private static List<TfIdfTextRow> ToRows(IEnumerable<string> texts, string paramName) =>
        texts.Select((t, i) => new TfIdfTextRow { Text = t ?? throw new ArgumentNullException(paramName, $"Text {i} is null.") })
            .ToList();
}
