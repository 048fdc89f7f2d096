namespace MLNet.Contrastive.Training.Distributed;

/// <summary>A communicator of one rank: gathers and sums are copies, broadcast does nothing. Needs no MPI library.</summary>
internal sealed class SingleProcessCommunicator : ICommunicator
{
    /// <summary>Gets the one instance.</summary>
    public static SingleProcessCommunicator Instance { get; } = new();

    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int Size => 1;

    /// <inheritdoc/>
    public float[] AllGather(float[] local, int[] counts)
    {
        CommunicatorChecks.CheckGather(this, local, counts);
        return (float[])local.Clone();
    }

    /// <inheritdoc/>
    public long[] AllGather(long value) => [value];

    /// <inheritdoc/>
    public void AllReduceSum(float[] values) => ArgumentNullException.ThrowIfNull(values);

    /// <inheritdoc/>
    public void Broadcast(float[] values, int root)
    {
        ArgumentNullException.ThrowIfNull(values);
        CommunicatorChecks.CheckRoot(this, root);
    }

    /// <inheritdoc/>
    public void Abort(int errorCode) => Environment.Exit(errorCode);
}
