namespace MLNet.Contrastive.Evaluation;

/// <summary>Options of <see cref="TfIdfBaseline"/>. The defaults are word 1-2-grams plus character 3-grams, both TF-IDF weighted.</summary>
public sealed class TfIdfBaselineOptions
{
    /// <summary>Gets or sets the longest word n-gram; all lengths from 1 up to it are used. Default is 2.</summary>
    public int WordNgramLength { get; set; } = 2;

    /// <summary>Gets or sets the character n-gram length (only this length is used, as in ML.NET's default). Default is 3.
    /// Set to 0 to turn character n-grams off.</summary>
    public int CharNgramLength { get; set; } = 3;

    /// <summary>Gets or sets the largest number of distinct n-grams kept per n-gram length, for words and characters alike;
    /// it bounds the vector dimension and so the memory of the dense vectors. ML.NET keeps the n-grams first met in the
    /// fitting texts up to this count. Default is 20,000.</summary>
    public int MaximumNgramsPerLength { get; set; } = 20_000;

    /// <summary>Gets or sets whether text is lower-cased before n-grams are taken. Default is true.</summary>
    public bool LowerCase { get; set; } = true;
}
