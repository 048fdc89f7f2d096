namespace MLNet.Contrastive.Text;

/// <summary>
/// Maps a large tokenizer's ids onto a compact range: the ids seen in the training texts, plus one shared row for
/// every unseen id. Lets a model trained from scratch with cl100k_base (100k ids) hold only the rows it can learn.
/// </summary>
/// <remarks>Compact id 0 (<see cref="UnseenId"/>) is the unseen row; the seen ids follow in ascending tokenizer-id
/// order, so the map does not depend on the order of the training texts.</remarks>
internal sealed class VocabularyMap
{
    private const int Signature = 0x4D424356; // "VCBM"
    private const int Version = 1;
    private readonly Dictionary<int, int> compactIds;
    private readonly int[] sourceIds;

    private VocabularyMap(int[] sortedSourceIds)
    {
        sourceIds = sortedSourceIds;
        compactIds = new Dictionary<int, int>(sortedSourceIds.Length);
        for (var i = 0; i < sortedSourceIds.Length; i++)
        {
            compactIds.Add(sortedSourceIds[i], i + 1);
        }
    }

    /// <summary>Gets the compact id of every unseen tokenizer id (0).</summary>
    public int UnseenId => 0;

    /// <summary>Gets the number of compact ids: the seen ids plus the unseen row (the embedding table's size).</summary>
    public int Count => sourceIds.Length + 1;

    /// <summary>Builds a map from the tokenized training texts.</summary>
    /// <param name="sequences">The tokenizer ids of the training texts (special tokens included).</param>
    /// <returns>The map.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sequences"/> is null.</exception>
    /// <exception cref="ArgumentException">A sequence is null or holds a negative id (the message gives its position).</exception>
    public static VocabularyMap Build(IEnumerable<int[]> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var seen = new HashSet<int>();
        var index = 0;
        foreach (var sequence in sequences)
        {
            if (sequence is null)
            {
                throw new ArgumentException($"Sequence {index} is null.", nameof(sequences));
            }

            foreach (var id in sequence)
            {
                if (id < 0)
                {
                    throw new ArgumentException($"Sequence {index} holds the negative id {id}; expected ids >= 0.", nameof(sequences));
                }

                seen.Add(id);
            }

            index++;
        }

        var ids = seen.ToArray();
        Array.Sort(ids);
        return new VocabularyMap(ids);
    }

    /// <summary>Builds a map from training texts and the tokenizer that will encode them.</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="texts">The training texts.</param>
    /// <returns>The map.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A text is null (the message gives its position).</exception>
    public static VocabularyMap Build(TextTokenizer tokenizer, IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(texts);
        var index = 0;
        return Build(texts.Select(text => tokenizer.Encode(
            text ?? throw new ArgumentException($"Text {index} is null; expected a string.", nameof(texts)), out _))
            .Select(ids => { index++; return ids; }));
    }

    /// <summary>Gets whether a tokenizer id was seen when the map was built.</summary>
    /// <param name="tokenizerId">The tokenizer id.</param>
    /// <returns><see langword="true"/> when it has its own row.</returns>
    public bool Contains(int tokenizerId) => compactIds.ContainsKey(tokenizerId);

    /// <summary>Maps one tokenizer id.</summary>
    /// <param name="tokenizerId">The tokenizer id.</param>
    /// <returns>Its compact id, or <see cref="UnseenId"/>.</returns>
    public int Map(int tokenizerId) => compactIds.GetValueOrDefault(tokenizerId, UnseenId);

    /// <summary>Maps a sequence of tokenizer ids.</summary>
    /// <param name="tokenizerIds">The tokenizer ids.</param>
    /// <returns>A new array of compact ids.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tokenizerIds"/> is null.</exception>
    public int[] Map(int[] tokenizerIds)
    {
        ArgumentNullException.ThrowIfNull(tokenizerIds);
        var result = new int[tokenizerIds.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Map(tokenizerIds[i]);
        }

        return result;
    }

    /// <summary>Writes the map (signature, version, seen ids).</summary>
    /// <param name="writer">The destination.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Signature);
        writer.Write(Version);
        writer.Write(sourceIds.Length);
        foreach (var id in sourceIds)
        {
            writer.Write(id);
        }
    }

    /// <summary>Reads a map written by <see cref="Save"/>.</summary>
    /// <param name="reader">The source.</param>
    /// <returns>The map.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    /// <exception cref="InvalidDataException">The data is not a vocabulary map, of a newer version, or inconsistent.</exception>
    /// <exception cref="EndOfStreamException">The data ends early.</exception>
    public static VocabularyMap Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.ReadInt32() != Signature)
        {
            throw new InvalidDataException("Not a vocabulary map: wrong signature.");
        }

        var version = reader.ReadInt32();
        if (version != Version)
        {
            throw new InvalidDataException($"Vocabulary map version {version} is not supported (this library reads version {Version}).");
        }

        var count = reader.ReadInt32();
        if (count < 0)
        {
            throw new InvalidDataException($"Vocabulary map: invalid id count {count}.");
        }

        var ids = new int[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = reader.ReadInt32();
            if (ids[i] < 0 || (i > 0 && ids[i] <= ids[i - 1]))
            {
                throw new InvalidDataException($"Vocabulary map: id {i} ({ids[i]}) is negative or not ascending.");
            }
        }

        return new VocabularyMap(ids);
    }
}
