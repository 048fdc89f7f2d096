using MLNet.Contrastive.Evaluation;

namespace ExampleData;

/// <summary>The API-docs retrieval task: summaries are queries, readable signatures are documents. Built by
/// <see cref="ApiDocsTaskBuilder"/>. Immutable.</summary>
public sealed class ApiDocsTask
{
    internal ApiDocsTask(IReadOnlyList<ContrastivePair> trainPairs, RetrievalDataset test,
        IReadOnlyList<string> trainTypes, IReadOnlyList<string> testTypes, int testQueriesSeenInTraining)
    {
        TrainPairs = trainPairs;
        Test = test;
        TrainTypes = trainTypes;
        TestTypes = testTypes;
        TestQueriesSeenInTraining = testQueriesSeenInTraining;
    }

    /// <summary>Gets the training pairs: anchor = summary, positive = signature, group = id of the summary text.</summary>
    public IReadOnlyList<ContrastivePair> TrainPairs { get; }

    /// <summary>Gets the test set: one query per distinct test summary; its relevant documents are the signatures of
    /// all test members with that summary.</summary>
    public RetrievalDataset Test { get; }

    /// <summary>Gets the documentation ids of the declaring types in the training set (sorted).</summary>
    public IReadOnlyList<string> TrainTypes { get; }

    /// <summary>Gets the documentation ids of the declaring types in the test set (sorted; disjoint from <see cref="TrainTypes"/>).</summary>
    public IReadOnlyList<string> TestTypes { get; }

    /// <summary>Gets how many test queries also occur verbatim as training anchors (boilerplate summaries such as
    /// "Returns the hash code for this instance." belong to many types). Their documents are still unseen.</summary>
    public int TestQueriesSeenInTraining { get; }
}
