using System.Security.Cryptography;
using MLNet.Contrastive.Losses;

namespace MLNet.Contrastive.Training;

/// <summary>
/// Guided in-batch false-negative filtering (GISTEmbed, Solatorio 2024, arXiv 2402.16829): a frozen guide model's
/// embeddings of every training text, computed once before training, and the margin. Per batch, a candidate the guide
/// scores above the anchor-positive similarity minus the margin is masked out of the loss, like a document of the
/// row's own group: it is likely another positive, not a negative.
/// </summary>
/// <param name="Queries">Each example's query embedding (unit length), by example index.</param>
/// <param name="Documents">Each example's positive then hard negatives (unit length), by example index.</param>
/// <param name="Margin">How far below the positive's guide similarity a candidate must stay to be kept.</param>
/// <param name="Description">What the guide is (for a run's fingerprint and the log).</param>
internal sealed record GuideEmbeddings(float[][] Queries, float[][][] Documents, double Margin, string Description)
{
    /// <summary>Builds the batch's mask: query <c>i</c> against every document, and (symmetric) positive <c>i</c> against every query.</summary>
    /// <param name="batch">The example indices of the batch, in batch order.</param>
    /// <param name="symmetric">Whether the loss also runs from the positives to the queries.</param>
    internal NegativeMask Mask(IReadOnlyList<int> batch, bool symmetric)
    {
        var queries = batch.Select(e => Queries[e]).ToArray();
        var documents = batch.SelectMany(e => Documents[e]).ToArray();
        var stride = documents.Length / queries.Length;
        var forward = new bool[queries.Length * documents.Length];
        for (var i = 0; i < queries.Length; i++)
        {
            var threshold = Dot(queries[i], documents[i * stride]) - Margin;
            for (var j = 0; j < documents.Length; j++)
            {
                forward[(i * documents.Length) + j] = j != i * stride && Dot(queries[i], documents[j]) > threshold;
            }
        }

        if (!symmetric)
        {
            return new NegativeMask(forward, null);
        }

        var reverse = new bool[queries.Length * queries.Length];
        for (var i = 0; i < queries.Length; i++)
        {
            var positive = documents[i * stride];
            var threshold = Dot(positive, queries[i]) - Margin;
            for (var j = 0; j < queries.Length; j++)
            {
                reverse[(i * queries.Length) + j] = j != i && Dot(positive, queries[j]) > threshold;
            }
        }

        return new NegativeMask(forward, reverse);
    }

    /// <summary>A digest of the guide's embeddings and margin (two runs with the same digest mask the same candidates).</summary>
    internal string Digest()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var vector in Queries.Concat(Documents.SelectMany(d => d)))
        {
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()));
        }

        hash.AppendData(BitConverter.GetBytes(Margin));
        return Convert.ToHexString(hash.GetHashAndReset())[..16];
    }

    /// <summary>Scales each vector to unit length (a zero vector stays zero).</summary>
    internal static float[] Unit(float[] vector)
    {
        var norm = Math.Sqrt(vector.Sum(v => (double)v * v));
        return norm == 0 ? vector : vector.Select(v => (float)(v / norm)).ToArray();
    }

    private static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return sum;
    }
}
