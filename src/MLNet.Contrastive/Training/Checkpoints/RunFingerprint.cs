using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Losses;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Training.Checkpoints;

/// <summary>
/// What a training run is, so that a checkpoint is resumed only by the run that wrote it: every setting that changes
/// the weights a step computes (by its option name), a hash of the training examples, and a hash of the starting weights
/// (the encoder's shape, seed and pretrained checkpoint all show there).
/// </summary>
/// <param name="Settings">The settings, name and value, in a fixed order.</param>
/// <param name="ExampleCount">The number of training examples.</param>
/// <param name="DataHash">SHA-256 of the examples' token ids, negatives and groups.</param>
/// <param name="StartHash">SHA-256 of the starting weights (every encoder and loss parameter, in order).</param>
internal sealed record RunFingerprint(IReadOnlyList<(string Name, string Value)> Settings, int ExampleCount, string DataHash, string StartHash)
{
    /// <summary>Gets a short digest of the whole fingerprint, which checkpoint file names carry.</summary>
    public string Digest
    {
        get
        {
            var text = new StringBuilder();
            foreach (var (name, value) in Settings)
            {
                text.Append(name).Append('=').Append(value).Append('\n');
            }

            text.Append(CultureInfo.InvariantCulture, $"examples={ExampleCount}\ndata={DataHash}\nstart={StartHash}\n");
            return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..12].ToLowerInvariant();
        }
    }

    /// <summary>The fingerprint of a run: its settings, its examples and its starting parameters.</summary>
    public static RunFingerprint Of(
        ContrastiveTrainer.Settings settings, ContrastiveLoss loss, IReadOnlyList<TextEncoder> encoders,
        IReadOnlyList<TorchSharp.Modules.Parameter> parameters, IReadOnlyList<ContrastiveExample> examples)
    {
        string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        var cache = settings.Cache;
        var list = new List<(string, string)>
        {
            ("BatchSize", settings.BatchSize.ToString(CultureInfo.InvariantCulture)),
            ("Epochs", settings.Epochs.ToString(CultureInfo.InvariantCulture)),
            ("LearningRate", Number(settings.LearningRate)),
            ("WeightDecay", Number(settings.WeightDecay)),
            ("WarmupRatio", Number(settings.WarmupRatio)),
            ("WarmupSteps", settings.WarmupSteps?.ToString(CultureInfo.InvariantCulture) ?? "none"),
            ("Schedule", settings.Schedule.ToString()),
            ("MaxGradientNorm", settings.MaxGradientNorm is { } norm ? Number(norm) : "none"),
            ("FreezeEmbeddings", settings.FreezeEmbeddings.ToString()),
            ("FrozenLayers", settings.FrozenLayers.ToString(CultureInfo.InvariantCulture)),
            ("Seed", settings.Seed.ToString(CultureInfo.InvariantCulture)),
            ("ChunkSize", cache.ChunkSize.ToString(CultureInfo.InvariantCulture)),
            ("DocumentChunkSize", cache.DocumentChunkSize?.ToString(CultureInfo.InvariantCulture) ?? "none"),
            ("SortByLength", cache.SortByLength.ToString()),
            ("PaddingId", cache.PaddingId.ToString(CultureInfo.InvariantCulture)),
            ("Loss", loss.Description),
            ("Temperature", Number(loss.Temperature.Value)),
            ("LearnableTemperature", loss.Temperature.IsLearnable.ToString()),
            ("Guide", settings.Guide is { } guide ? $"{guide.Description}, margin {Number(guide.Margin)}, embeddings {guide.Digest()}" : "none"),
        };
        for (var i = 0; i < encoders.Count; i++)
        {
            list.Add((encoders.Count == 1 ? "Encoder" : i == 0 ? "QueryEncoder" : "DocumentEncoder", Shape(encoders[i])));
        }

        return new RunFingerprint(list, examples.Count, HashExamples(examples), HashParameters(parameters));
    }

    /// <summary>Says how <paramref name="other"/> (a checkpoint's) differs from this run, or <see langword="null"/> when it does not.</summary>
    public string? DifferenceFrom(RunFingerprint other)
    {
        var mine = Settings.ToDictionary(s => s.Name, s => s.Value, StringComparer.Ordinal);
        var differences = new List<string>();
        foreach (var (name, value) in other.Settings)
        {
            var now = mine.GetValueOrDefault(name, "absent");
            if (now != value)
            {
                differences.Add($"{name}: {value} in the checkpoint, {now} now");
            }
        }

        if (other.ExampleCount != ExampleCount || other.DataHash != DataHash)
        {
            differences.Add(other.ExampleCount == ExampleCount
                ? $"the training data: the same {ExampleCount} rows count but other texts, order or groups"
                : $"the training data: {other.ExampleCount} rows in the checkpoint, {ExampleCount} now");
        }

        if (other.StartHash != StartHash)
        {
            differences.Add("the starting weights: another pretrained model, encoder shape, vocabulary or seed");
        }

        return differences.Count == 0 ? null : string.Join("; ", differences);
    }

    /// <summary>Writes the fingerprint.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(Settings.Count);
        foreach (var (name, value) in Settings)
        {
            writer.Write(name);
            writer.Write(value);
        }

        writer.Write(ExampleCount);
        writer.Write(DataHash);
        writer.Write(StartHash);
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The count is invalid.</exception>
    public static RunFingerprint Read(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count is < 0 or > 10_000)
        {
            throw new InvalidDataException($"invalid settings count {count}.");
        }

        var settings = new List<(string, string)>(count);
        for (var i = 0; i < count; i++)
        {
            settings.Add((reader.ReadString(), reader.ReadString()));
        }

        return new RunFingerprint(settings, reader.ReadInt32(), reader.ReadString(), reader.ReadString());
    }

    // The encoder's saved shape (its sizes, dropout, pooling): what the starting weights alone do not show.
    private static string Shape(TextEncoder encoder)
    {
        try
        {
            using var bytes = new MemoryStream();
            using (var writer = new BinaryWriter(bytes, Encoding.UTF8, leaveOpen: true))
            {
                encoder.WriteShape(writer);
            }

            return $"{encoder.Description} ({Convert.ToHexString(SHA256.HashData(bytes.ToArray()))[..12].ToLowerInvariant()})";
        }
        catch (NotSupportedException)
        {
            return encoder.Description;
        }
    }

    private static string HashExamples(IReadOnlyList<ContrastiveExample> examples)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var number = new byte[8];
        void Add(long value)
        {
            BitConverter.TryWriteBytes(number, value);
            hash.AppendData(number);
        }

        void AddText(int[] ids)
        {
            Add(ids.Length);
            foreach (var id in ids)
            {
                Add(id);
            }
        }

        foreach (var example in examples)
        {
            AddText(example.Query);
            AddText(example.Positive);
            Add(example.Negatives.Count);
            foreach (var negative in example.Negatives)
            {
                AddText(negative);
            }

            Add(example.Group ?? long.MinValue);
        }

        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    private static string HashParameters(IReadOnlyList<TorchSharp.Modules.Parameter> parameters)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var noGrad = no_grad();
        foreach (var parameter in parameters)
        {
            using var cpu = parameter.detach().to(ScalarType.Float32).cpu().contiguous();
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(cpu.data<float>().ToArray().AsSpan()));
        }

        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }
}
