using static TorchSharp.torch;

namespace MLNet.Contrastive.Losses;

/// <summary>The prepared (normalised) embeddings, inverse temperature and layout of one loss evaluation.</summary>
/// <param name="Queries">Query embeddings, <c>[B, D]</c>.</param>
/// <param name="Documents">Document embeddings, <c>[B(1+k), D]</c>.</param>
/// <param name="InverseTemperature">The scalar <c>1/t</c>.</param>
/// <param name="NegativesPerQuery">The number <c>k</c> of hard negatives per query.</param>
/// <param name="Groups">Optional group id per query.</param>
/// <param name="Weights">Optional detached weight of each positive term, <c>[B]</c>.</param>
/// <param name="Guided">Optional candidates a guide model masked out.</param>
internal sealed record LossInputs(Tensor Queries, Tensor Documents, Tensor InverseTemperature, int NegativesPerQuery, long[]? Groups, Tensor? Weights, NegativeMask? Guided = null)
{
    /// <summary>Gets the number of queries <c>B</c>.</summary>
    public int BatchSize => (int)Queries.shape[0];
}
