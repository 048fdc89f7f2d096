using System.Security.Cryptography;
using System.Text;
using MLNet.Contrastive.Encoders;

namespace MLNet.Contrastive.Training.Checkpoints;

/// <summary>Where a run stands at a checkpoint: its fingerprint, the optimizer steps done (the schedule and the data
/// order follow from them and the seed), the losses and validation scores so far, and the training time spent.</summary>
/// <param name="Fingerprint">The run the checkpoint belongs to.</param>
/// <param name="Step">The optimizer steps done.</param>
/// <param name="TotalSteps">The optimizer steps the whole run takes.</param>
/// <param name="Elapsed">The training time spent up to the checkpoint.</param>
/// <param name="Losses">The loss of every step done.</param>
/// <param name="ValidationScores">The validation score after every epoch done.</param>
internal sealed record CheckpointProgress(
    RunFingerprint Fingerprint, int Step, int TotalSteps, TimeSpan Elapsed, IReadOnlyList<double> Losses, IReadOnlyList<double> ValidationScores);

/// <summary>
/// Everything a run needs to go on from a step as if it had never stopped: where it stands, every parameter of the
/// encoders and the loss, and AdamW's moments and step counts. Layout in docs/reliability.md ("Checkpoints").
/// </summary>
/// <param name="Progress">Where the run stands.</param>
/// <param name="Parameters">Every parameter, by name.</param>
/// <param name="OptimizerState">The optimizer's state as TorchSharp writes it (<c>save_state_dict</c>).</param>
internal sealed record TrainingCheckpoint(CheckpointProgress Progress, IReadOnlyDictionary<string, TensorData> Parameters, byte[] OptimizerState)
{
    private static readonly byte[] Signature = "MLNCCKPT"u8.ToArray();

    // Version 1: first version.
    private const int Version = 1;

    /// <summary>Writes a checkpoint: signature, version, the payload's length, the payload, its SHA-256.</summary>
    /// <exception cref="InvalidOperationException">A parameter is not finite (nothing is written).</exception>
    public static void Write(Stream stream, CheckpointProgress progress, IEnumerable<(string Name, TorchSharp.torch.Tensor Tensor)> parameters, byte[] optimizerState)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            progress.Fingerprint.Write(writer);
            writer.Write(progress.Step);
            writer.Write(progress.TotalSteps);
            writer.Write(progress.Elapsed.Ticks);
            WriteNumbers(writer, progress.Losses);
            WriteNumbers(writer, progress.ValidationScores);
            TensorData.WriteAll(writer, parameters);
            writer.Write(optimizerState.Length);
            writer.Write(optimizerState);
        }

        var bytes = payload.ToArray();
        using var output = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        output.Write(Signature);
        output.Write(Version);
        output.Write((long)bytes.Length);
        output.Write(bytes);
        output.Write(SHA256.HashData(bytes));
    }

    /// <summary>Reads a checkpoint file whole and checks it; <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is of a newer version, is truncated, or its
    /// checksum does not match its content (the message names the file).</exception>
    public static TrainingCheckpoint Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var header = Signature.Length + 4 + 8;
        if (bytes.Length < header || !bytes.AsSpan(0, Signature.Length).SequenceEqual(Signature))
        {
            throw new InvalidDataException($"'{path}' is not a training checkpoint (no 'MLNCCKPT' signature).");
        }

        var version = BitConverter.ToInt32(bytes, Signature.Length);
        if (version is < 1 or > Version)
        {
            throw new InvalidDataException($"'{path}' is a checkpoint of format version {version}; this library reads version {Version}.");
        }

        var length = BitConverter.ToInt64(bytes, Signature.Length + 4);
        if (length < 0 || header + length + 32 != bytes.Length)
        {
            throw new InvalidDataException($"'{path}' is truncated or padded: it holds {bytes.Length:N0} bytes, its header declares {header + length + 32:N0}.");
        }

        var payload = bytes.AsSpan(header, (int)length);
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(bytes.AsSpan(header + (int)length, 32)))
        {
            throw new InvalidDataException($"'{path}' is corrupted: its SHA-256 checksum does not match its content.");
        }

        using var reader = new BinaryReader(new MemoryStream(bytes, header, (int)length, writable: false), Encoding.UTF8);
        try
        {
            var fingerprint = RunFingerprint.Read(reader);
            var step = reader.ReadInt32();
            var total = reader.ReadInt32();
            var elapsed = TimeSpan.FromTicks(reader.ReadInt64());
            var losses = ReadNumbers(reader);
            var scores = ReadNumbers(reader);
            var parameters = TensorData.ReadAll(reader);
            var optimizer = reader.ReadBytes(reader.ReadInt32());
            return new TrainingCheckpoint(new CheckpointProgress(fingerprint, step, total, elapsed, losses, scores), parameters, optimizer);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException)
        {
            throw new InvalidDataException($"'{path}' is inconsistent: {e.Message}", e);
        }
    }

    private static void WriteNumbers(BinaryWriter writer, IReadOnlyList<double> values)
    {
        writer.Write(values.Count);
        foreach (var value in values)
        {
            writer.Write(value);
        }
    }

    private static double[] ReadNumbers(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0 || count > (reader.BaseStream.Length - reader.BaseStream.Position) / 8)
        {
            throw new InvalidDataException($"invalid count {count}.");
        }

        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = reader.ReadDouble();
        }

        return values;
    }
}
