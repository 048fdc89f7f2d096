using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Contrastive.Evaluation;

/// <summary>
/// Evaluates embeddings on a retrieval task with exact cosine search: Recall@1/5/10, MRR@10 and nDCG@10
/// (definitions in <see cref="RetrievalMetrics"/>).
/// </summary>
/// <remarks>Ranking uses <see cref="CosineIndex"/>: descending cosine, ties broken by the lower corpus index, so
/// results are deterministic. Every query must have at least one relevant document.</remarks>
public static class RetrievalEvaluator
{
    private const int Depth = 10;

    /// <summary>Evaluates query and corpus embeddings against relevance judgements.</summary>
    /// <param name="queryEmbeddings">One embedding per query.</param>
    /// <param name="corpusEmbeddings">One embedding per document, of the same length as the query embeddings.</param>
    /// <param name="relevantDocuments">For each query (same order), the positions in the corpus relevant to it.</param>
    /// <param name="queryIds">Optional query names used in error messages; positions are used when null.</param>
    /// <returns>The metrics averaged over queries.</returns>
    /// <exception cref="ArgumentNullException">An argument or a vector is null.</exception>
    /// <exception cref="ArgumentException">Counts do not match, a query has no relevant document, a position is
    /// outside the corpus, or a vector has the wrong length or a non-finite value.</exception>
    public static RetrievalMetrics Evaluate(IReadOnlyList<float[]> queryEmbeddings, IReadOnlyList<float[]> corpusEmbeddings,
        IReadOnlyList<IReadOnlyCollection<int>> relevantDocuments, IReadOnlyList<string>? queryIds = null)
    {
        ArgumentNullException.ThrowIfNull(queryEmbeddings);
        ArgumentNullException.ThrowIfNull(corpusEmbeddings);
        if (queryIds is not null && queryIds.Count != queryEmbeddings.Count)
        {
            throw new ArgumentException($"Expected {queryEmbeddings.Count} query ids (one per query), got {queryIds.Count}.", nameof(queryIds));
        }

        var relevant = CheckJudgements(relevantDocuments, queryEmbeddings.Count, corpusEmbeddings.Count, queryIds);
        if (queryEmbeddings.Count == 0)
        {
            throw new ArgumentException("Expected at least one query.", nameof(queryEmbeddings));
        }

        var index = new CosineIndex(corpusEmbeddings);
        return Score(index.Search(queryEmbeddings, Depth), relevant, corpusEmbeddings.Count);
    }

    /// <summary>Evaluates sparse query and corpus vectors (ML.NET <see cref="VBuffer{T}"/>, such as TF-IDF) against relevance
    /// judgements; the corpus is indexed as sparse rows, so memory follows the non-zero values. Results equal the dense overload's.</summary>
    /// <param name="queryVectors">One vector per query.</param>
    /// <param name="corpusVectors">One vector per document, of the same length as the query vectors.</param>
    /// <param name="relevantDocuments">For each query (same order), the positions in the corpus relevant to it.</param>
    /// <param name="queryIds">Optional query names used in error messages; positions are used when null.</param>
    /// <returns>The metrics averaged over queries.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">Counts do not match, a query has no relevant document, a position is
    /// outside the corpus, or a vector has the wrong length or a non-finite value.</exception>
    public static RetrievalMetrics Evaluate(IReadOnlyList<VBuffer<float>> queryVectors, IReadOnlyList<VBuffer<float>> corpusVectors,
        IReadOnlyList<IReadOnlyCollection<int>> relevantDocuments, IReadOnlyList<string>? queryIds = null)
    {
        ArgumentNullException.ThrowIfNull(queryVectors);
        ArgumentNullException.ThrowIfNull(corpusVectors);
        if (queryIds is not null && queryIds.Count != queryVectors.Count)
        {
            throw new ArgumentException($"Expected {queryVectors.Count} query ids (one per query), got {queryIds.Count}.", nameof(queryIds));
        }

        var relevant = CheckJudgements(relevantDocuments, queryVectors.Count, corpusVectors.Count, queryIds);
        if (queryVectors.Count == 0)
        {
            throw new ArgumentException("Expected at least one query.", nameof(queryVectors));
        }

        var index = new CosineIndex(corpusVectors);
        return Score(index.Search(queryVectors, Depth), relevant, corpusVectors.Count);
    }

    private static RetrievalMetrics Score(IReadOnlyList<SearchHit>[] rankings, IReadOnlyList<int>[] relevant, int corpusCount)
    {
        double r1 = 0, r5 = 0, r10 = 0, mrr = 0, ndcg = 0;
        for (int q = 0; q < rankings.Length; q++)
        {
            var s = ScoreQuery(rankings[q], relevant[q]);
            r1 += s.RecallAt1; r5 += s.RecallAt5; r10 += s.RecallAt10; mrr += s.ReciprocalRank; ndcg += s.Ndcg;
        }
        int n = rankings.Length;
        return new RetrievalMetrics(r1 / n, r5 / n, r10 / n, mrr / n, ndcg / n, n, corpusCount);
    }

    /// <summary>Embeds a text retrieval set with <paramref name="embed"/> and evaluates it.</summary>
    /// <param name="dataset">The queries, corpus and judgements.</param>
    /// <param name="embed">Turns a list of texts into one embedding per text (for example a model or <see cref="TfIdfBaseline"/>).</param>
    /// <returns>The metrics averaged over queries.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="embed"/> returned the wrong number of vectors or bad vectors.</exception>
    public static RetrievalMetrics Evaluate(RetrievalDataset dataset, Func<IReadOnlyList<string>, IReadOnlyList<float[]>> embed)
    {
        ArgumentNullException.ThrowIfNull(embed);
        return Evaluate(dataset, embed, embed);
    }

    /// <summary>
    /// Embeds the queries with <paramref name="embedQueries"/> and the corpus with <paramref name="embedDocuments"/>, and
    /// evaluates: for models that treat the two sides differently, such as an instruction prefix on queries
    /// (snowflake-arctic-embed's <c>Represent this sentence for searching relevant passages: </c>) or two towers.
    /// </summary>
    /// <param name="dataset">The queries, corpus and judgements.</param>
    /// <param name="embedQueries">Turns the list of queries into one embedding per query.</param>
    /// <param name="embedDocuments">Turns the list of documents into one embedding per document, of the queries' length.</param>
    /// <returns>The metrics averaged over queries.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A function returned the wrong number of vectors (the message names it) or bad vectors.</exception>
    public static RetrievalMetrics Evaluate(RetrievalDataset dataset, Func<IReadOnlyList<string>, IReadOnlyList<float[]>> embedQueries,
        Func<IReadOnlyList<string>, IReadOnlyList<float[]>> embedDocuments)
    {
        var (queries, corpus) = EmbedBothSides(dataset, embedQueries, embedDocuments);
        return Evaluate(queries, corpus, dataset.RelevantDocuments, dataset.Queries);
    }

    /// <summary>Embeds a text retrieval set with a sparse embedder (for example <see cref="TfIdfBaseline.EmbedSparse"/>) and evaluates it.</summary>
    /// <param name="dataset">The queries, corpus and judgements.</param>
    /// <param name="embed">Turns a list of texts into one sparse vector per text.</param>
    /// <returns>The metrics averaged over queries.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="embed"/> returned the wrong number of vectors or bad vectors.</exception>
    public static RetrievalMetrics Evaluate(RetrievalDataset dataset, Func<IReadOnlyList<string>, IReadOnlyList<VBuffer<float>>> embed)
    {
        ArgumentNullException.ThrowIfNull(embed);
        return Evaluate(dataset, embed, embed);
    }

    /// <summary>Embeds queries and documents with separate sparse embedders and evaluates; see the dense overload.</summary>
    /// <param name="dataset">The queries, corpus and judgements.</param>
    /// <param name="embedQueries">Turns the list of queries into one sparse vector per query.</param>
    /// <param name="embedDocuments">Turns the list of documents into one sparse vector per document, of the queries' length.</param>
    /// <returns>The metrics averaged over queries.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A function returned the wrong number of vectors (the message names it) or bad vectors.</exception>
    public static RetrievalMetrics Evaluate(RetrievalDataset dataset, Func<IReadOnlyList<string>, IReadOnlyList<VBuffer<float>>> embedQueries,
        Func<IReadOnlyList<string>, IReadOnlyList<VBuffer<float>>> embedDocuments)
    {
        var (queries, corpus) = EmbedBothSides(dataset, embedQueries, embedDocuments);
        return Evaluate(queries, corpus, dataset.RelevantDocuments, dataset.Queries);
    }

    private static (IReadOnlyList<T> Queries, IReadOnlyList<T> Corpus) EmbedBothSides<T>(RetrievalDataset dataset,
        Func<IReadOnlyList<string>, IReadOnlyList<T>> embedQueries, Func<IReadOnlyList<string>, IReadOnlyList<T>> embedDocuments)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(embedQueries);
        ArgumentNullException.ThrowIfNull(embedDocuments);
        var queries = embedQueries(dataset.Queries);
        if (queries is null || queries.Count != dataset.Queries.Count)
        {
            throw new ArgumentException($"Expected the query embedding function to return {dataset.Queries.Count} vectors (one per query), got {queries?.Count.ToString() ?? "null"}.", nameof(embedQueries));
        }

        var corpus = embedDocuments(dataset.Corpus);
        if (corpus is null || corpus.Count != dataset.Corpus.Count)
        {
            throw new ArgumentException($"Expected the document embedding function to return {dataset.Corpus.Count} vectors (one per document), got {corpus?.Count.ToString() ?? "null"}.", nameof(embedDocuments));
        }

        return (queries, corpus);
    }

    /// <summary>Evaluates embedding columns of ML.NET data views against relevance judgements given as (query id, document id) rows.</summary>
    /// <param name="queries">Query rows: an id column and an embedding column.</param>
    /// <param name="corpus">Document rows: an id column and an embedding column.</param>
    /// <param name="judgements">Relevance rows: a query id column and a document id column; one row per relevant pair.</param>
    /// <param name="queryEmbeddingColumnName">Embedding column of <paramref name="queries"/>; Vector&lt;Single&gt; of known size.</param>
    /// <param name="corpusEmbeddingColumnName">Embedding column of <paramref name="corpus"/>; Vector&lt;Single&gt; of known size.</param>
    /// <param name="queryIdColumnName">Text column holding query ids, in <paramref name="queries"/> and <paramref name="judgements"/>.</param>
    /// <param name="documentIdColumnName">Text column holding document ids, in <paramref name="corpus"/> and <paramref name="judgements"/>.</param>
    /// <returns>The metrics averaged over queries.</returns>
    /// <exception cref="ArgumentNullException">A data view is null.</exception>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type (the message names the column, the
    /// expected and the actual type), ids are duplicated or unknown, or a query has no relevant document.</exception>
    public static RetrievalMetrics Evaluate(IDataView queries, IDataView corpus, IDataView judgements,
        string queryEmbeddingColumnName = "Embedding", string corpusEmbeddingColumnName = "Embedding",
        string queryIdColumnName = "QueryId", string documentIdColumnName = "DocumentId")
    {
        var queryIds = DataViewColumnReader.ReadText(queries, queryIdColumnName, nameof(queries));
        var queryVectors = DataViewColumnReader.ReadEmbeddings(queries, queryEmbeddingColumnName, nameof(queries));
        var documentIds = DataViewColumnReader.ReadText(corpus, documentIdColumnName, nameof(corpus));
        var documentVectors = DataViewColumnReader.ReadEmbeddings(corpus, corpusEmbeddingColumnName, nameof(corpus));
        var judgedQueries = DataViewColumnReader.ReadText(judgements, queryIdColumnName, nameof(judgements));
        var judgedDocuments = DataViewColumnReader.ReadText(judgements, documentIdColumnName, nameof(judgements));

        var queryPosition = Positions(queryIds, queryIdColumnName, nameof(queries));
        var documentPosition = Positions(documentIds, documentIdColumnName, nameof(corpus));
        var relevant = queryIds.Select(_ => new HashSet<int>()).ToArray();
        for (int row = 0; row < judgedQueries.Count; row++)
        {
            if (!queryPosition.TryGetValue(judgedQueries[row], out int q))
            {
                throw new ArgumentException($"Judgement row {row} names query '{judgedQueries[row]}', which is not in '{nameof(queries)}'.", nameof(judgements));
            }

            if (!documentPosition.TryGetValue(judgedDocuments[row], out int d))
            {
                throw new ArgumentException($"Judgement row {row} names document '{judgedDocuments[row]}', which is not in '{nameof(corpus)}'.", nameof(judgements));
            }

            relevant[q].Add(d);
        }
        return Evaluate(queryVectors, documentVectors, relevant, queryIds);
    }

    internal static (double RecallAt1, double RecallAt5, double RecallAt10, double ReciprocalRank, double Ndcg) ScoreQuery(
        IReadOnlyList<SearchHit> ranking, IReadOnlyCollection<int> relevant)
    {
        var relevantSet = relevant as ISet<int> ?? relevant.ToHashSet();
        int hitsAt1 = 0, hitsAt5 = 0, hitsAt10 = 0;
        double reciprocalRank = 0, dcg = 0;
        for (int i = 0; i < Math.Min(Depth, ranking.Count); i++)
        {
            if (!relevantSet.Contains(ranking[i].Index))
            {
                continue;
            }

            int rank = i + 1;
            if (rank <= 1)
            {
                hitsAt1++;
            }

            if (rank <= 5)
            {
                hitsAt5++;
            }

            hitsAt10++;
            if (reciprocalRank == 0)
            {
                reciprocalRank = 1.0 / rank;
            }

            dcg += 1.0 / Math.Log2(rank + 1);
        }
        double idcg = 0;
        for (int rank = 1; rank <= Math.Min(Depth, relevantSet.Count); rank++)
        {
            idcg += 1.0 / Math.Log2(rank + 1);
        }

        double total = relevantSet.Count;
        return (hitsAt1 / total, hitsAt5 / total, hitsAt10 / total, reciprocalRank, dcg / idcg);
    }

    internal static IReadOnlyList<int>[] CheckJudgements(IReadOnlyList<IReadOnlyCollection<int>> relevantDocuments,
        int queryCount, int corpusCount, IReadOnlyList<string>? queryIds)
    {
        ArgumentNullException.ThrowIfNull(relevantDocuments);
        if (relevantDocuments.Count != queryCount)
        {
            throw new ArgumentException($"Expected {queryCount} judgement lists (one per query), got {relevantDocuments.Count}.", nameof(relevantDocuments));
        }

        var result = new IReadOnlyList<int>[queryCount];
        for (int q = 0; q < queryCount; q++)
        {
            string name = queryIds is null ? $"Query {q}" : $"Query {q} ('{queryIds[q]}')";
            var list = relevantDocuments[q] ?? throw new ArgumentNullException(nameof(relevantDocuments), $"{name} has a null judgement list.");
            if (list.Count == 0)
            {
                throw new ArgumentException($"{name} has no relevant document; every query needs at least one (remove the query or add a judgement).", nameof(relevantDocuments));
            }

            foreach (int d in list)
            {
                if (d < 0 || d >= corpusCount)
                {
                    throw new ArgumentException($"{name} lists document {d}; expected a corpus position in [0, {corpusCount}).", nameof(relevantDocuments));
                }
            }
            result[q] = list.Distinct().Order().ToArray();
        }
        return result;
    }

    private static Dictionary<string, int> Positions(List<string> ids, string columnName, string dataParamName)
    {
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < ids.Count; i++)
        {
            if (!positions.TryAdd(ids[i], i))
            {
                throw new ArgumentException($"Id '{ids[i]}' appears twice in column '{columnName}' of '{dataParamName}'; expected unique ids.", dataParamName);
            }
        }
        return positions;
    }
}
