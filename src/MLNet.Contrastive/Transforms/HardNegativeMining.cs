using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Evaluation;
using MLNet.Contrastive.Mining;

namespace MLNet.Contrastive.Transforms;

/// <summary>
/// <c>mlContext.Data.MineHardNegatives</c>: reads the pairs, embeds the distinct anchors and candidate documents, picks
/// each row's negatives (<see cref="HardNegativeSelection"/>) and returns the rows that got them with the negative
/// columns added.
/// </summary>
internal static class HardNegativeMining
{
    internal const string ComponentName = "MineHardNegatives";

    // Texts per progress report while embedding (each is still encoded in batches of BatchSize).
    private const int EmbeddingSlice = 1024;

    internal static IDataView Mine(IHostEnvironment env, IDataView cached, EmbeddingModel model, HardNegativeMiningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var host = env.Register(ComponentName);
        var schema = cached.Schema;
        ColumnChecks.RequireText(host, schema, "anchor", options.AnchorColumnName);
        ColumnChecks.RequireText(host, schema, "positive", options.PositiveColumnName);
        if (options.GroupColumnName is { } groupName)
        {
            var group = schema.GetColumnOrNull(groupName) ?? throw host.ExceptSchemaMismatch(nameof(schema), "group", groupName);
            if (!ColumnChecks.IsGroupType(group.Type))
            {
                throw host.ExceptSchemaMismatch(nameof(schema), "group", groupName, $"{ColumnChecks.TextTypeName}, Int32, Int64, UInt32 or UInt64", group.Type.ToString());
            }
        }

        var names = options.NegativeColumnNames();
        if (names.FirstOrDefault(n => schema.GetColumnOrNull(n) is not null) is { } taken)
        {
            throw new ArgumentException(
                $"The data already has a column '{taken}': the mined negatives would hide it. Choose another NegativeColumnPrefix (now '{options.NegativeColumnPrefix}').",
                nameof(HardNegativeMiningOptions.NegativeColumnPrefix));
        }

        if (options.Corpus is { } corpusView)
        {
            ColumnChecks.RequireText(host, corpusView.Schema, "corpus", options.CorpusColumnName);
        }

        var clock = Stopwatch.StartNew();
        var rows = ReadRows(host, cached, options);
        var corpus = new List<string>();
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        int Add(string text)
        {
            if (!position.TryGetValue(text, out var at))
            {
                at = corpus.Count;
                position.Add(text, at);
                corpus.Add(text);
            }

            return at;
        }

        foreach (var row in rows)
        {
            Add(row.Positive);
        }

        if (options.Corpus is { } extra)
        {
            foreach (var text in ReadTexts(host, extra, options.CorpusColumnName, options.CancellationToken))
            {
                Add(text);
            }
        }

        // Each row needs k candidates besides its own positive.
        if (options.NegativesPerAnchor > corpus.Count - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(HardNegativeMiningOptions.NegativesPerAnchor), options.NegativesPerAnchor,
                $"NegativesPerAnchor ({options.NegativesPerAnchor}) is more than the corpus can give: it has {corpus.Count} distinct documents, and a row's own positive is never its negative.");
        }

        if (options.SkipTopRanks >= corpus.Count - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(HardNegativeMiningOptions.SkipTopRanks), options.SkipTopRanks,
                $"SkipTopRanks ({options.SkipTopRanks}) skips past the end of the corpus: it has {corpus.Count} distinct documents, one of them each row's positive.");
        }

        var anchors = rows.Select(r => r.Anchor).Distinct(StringComparer.Ordinal).ToList();
        var anchorPosition = anchors.Select((a, i) => (a, i)).ToDictionary(x => x.a, x => x.i, StringComparer.Ordinal);
        var selectionRows = ExclusionRows(rows, position, anchorPosition);

        var total = anchors.Count + corpus.Count;
        var anchorVectors = Embed(model, anchors, options.QueryPrefix, options, 0, total, clock);
        var corpusVectors = Embed(model, corpus, options.DocumentPrefix, options, anchors.Count, total, clock);
        var embedded = clock.Elapsed;
        var index = new CosineIndex(corpusVectors);
        var choices = HardNegativeSelection.Select(anchorVectors, index, selectionRows, options, done =>
        {
            options.CancellationToken.ThrowIfCancellationRequested();
            options.Progress?.Report(new HardNegativeMiningProgress("searching", done, selectionRows.Length, clock.Elapsed));
        });

        var kept = new List<long>();
        var negatives = new List<string[]>();
        for (var r = 0; r < choices.Length; r++)
        {
            if (choices[r].Negatives.Length > 0)
            {
                kept.Add(r);
                negatives.Add(choices[r].Negatives.Select(i => corpus[i]).ToArray());
            }
        }

        using (var channel = host.Start(ComponentName))
        {
            channel.Info(string.Create(CultureInfo.InvariantCulture,
                $"Mined {options.NegativesPerAnchor} hard negative(s) for {kept.Count} of {rows.Count} rows ({rows.Count - kept.Count} left out: fewer candidates passed the window and margins) " +
                $"from {corpus.Count} documents; embedding {total} texts took {embedded.TotalSeconds:0.0} s ({total / Math.Max(embedded.TotalSeconds, 1e-9):0} texts/s), " +
                $"the search {(clock.Elapsed - embedded).TotalSeconds:0.0} s."));
        }

        return new MinedNegativesDataView(cached, [.. kept], [.. negatives], names);
    }

    private sealed record PairRow(string Anchor, string Positive, string? Group);

    private static List<PairRow> ReadRows(IHost host, IDataView data, HardNegativeMiningOptions options)
    {
        var schema = data.Schema;
        var anchorColumn = schema[options.AnchorColumnName];
        var positiveColumn = schema[options.PositiveColumnName];
        var groupColumn = options.GroupColumnName is { } g ? schema[g] : (DataViewSchema.Column?)null;
        var active = new List<DataViewSchema.Column> { anchorColumn, positiveColumn };
        if (groupColumn is { } gc)
        {
            active.Add(gc);
        }

        using var cursor = data.GetRowCursor(active.Distinct());
        var anchor = cursor.GetGetter<ReadOnlyMemory<char>>(anchorColumn);
        var positive = cursor.GetGetter<ReadOnlyMemory<char>>(positiveColumn);
        var group = groupColumn is { } column ? TrainingDataReader.MakeGroupGetter(cursor, column) : null;
        var rows = new List<PairRow>();
        ReadOnlyMemory<char> a = default, p = default;
        while (cursor.MoveNext())
        {
            if ((cursor.Position & 1023) == 0)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
            }

            anchor(ref a);
            positive(ref p);
            foreach (var (value, textColumn) in new[] { (a, anchorColumn), (p, positiveColumn) })
            {
                if (value.Span.IsWhiteSpace())
                {
                    throw host.Except($"Row {cursor.Position} of column '{textColumn.Name}' has no text (null, empty or white space); every anchor and positive must be non-empty.");
                }
            }

            rows.Add(new PairRow(a.ToString(), p.ToString(), group?.Invoke()));
        }

        if (rows.Count < 2)
        {
            throw host.Except($"The data has {rows.Count} row(s); mining needs at least 2 (the other rows' positives are the candidates).");
        }

        return rows;
    }

    private static IEnumerable<string> ReadTexts(IHost host, IDataView view, string columnName, CancellationToken cancellation)
    {
        var column = view.Schema[columnName];
        using var cursor = view.GetRowCursor([column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            if ((cursor.Position & 1023) == 0)
            {
                cancellation.ThrowIfCancellationRequested();
                host.CheckAlive();
            }

            getter(ref value);
            if (!value.Span.IsWhiteSpace())
            {
                yield return value.ToString();
            }
        }
    }

    // Per row: its positive, and the shared sets it must not take: the positives of its anchor text and of its group,
    // and the anchor's own text.
    private static HardNegativeSelection.Row[] ExclusionRows(List<PairRow> rows, Dictionary<string, int> position, Dictionary<string, int> anchorPosition)
    {
        var byAnchor = rows.GroupBy(r => r.Anchor, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlySet<int>)g.Select(r => position[r.Positive]).ToHashSet(), StringComparer.Ordinal);
        var byGroup = rows.Where(r => r.Group is not null).GroupBy(r => r.Group!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlySet<int>)g.Select(r => position[r.Positive]).ToHashSet(), StringComparer.Ordinal);
        return rows.Select(r =>
        {
            var sets = new List<IReadOnlySet<int>> { byAnchor[r.Anchor] };
            if (r.Group is not null)
            {
                sets.Add(byGroup[r.Group]);
            }

            if (position.TryGetValue(r.Anchor, out var self))
            {
                sets.Add(new HashSet<int> { self });
            }

            return new HardNegativeSelection.Row(anchorPosition[r.Anchor], position[r.Positive], sets);
        }).ToArray();
    }

    private static float[][] Embed(EmbeddingModel model, List<string> texts, string? prefix, HardNegativeMiningOptions options, int doneBefore, int total, Stopwatch clock)
    {
        var vectors = new float[texts.Count][];
        for (var start = 0; start < texts.Count; start += EmbeddingSlice)
        {
            var slice = texts.GetRange(start, Math.Min(EmbeddingSlice, texts.Count - start)).Select(t => prefix + t).ToArray();
            var encoded = model.Encode(slice, options.BatchSize, options.CancellationToken);
            encoded.CopyTo(vectors, start);
            options.Progress?.Report(new HardNegativeMiningProgress("embedding", doneBefore + start + slice.Length, total, clock.Elapsed));
        }

        return vectors;
    }
}
