namespace MLNet.Contrastive.Training.Distributed;

/// <summary>
/// The collective operations data-parallel training needs, over a fixed group of processes (ranks). Every call is
/// collective: all ranks make the same calls in the same order, with the same lengths where stated.
/// </summary>
/// <remarks>Implementations: <see cref="MpiCommunicator"/> (MPI, through MPI.NET) and <see cref="SingleProcessCommunicator"/>
/// (one rank, no library).</remarks>
internal interface ICommunicator
{
    /// <summary>Gets this process's rank, in <c>[0, Size)</c>.</summary>
    int Rank { get; }

    /// <summary>Gets the number of ranks.</summary>
    int Size { get; }

    /// <summary>Gathers every rank's values, concatenated in rank order, on every rank (MPI_Allgatherv).</summary>
    /// <param name="local">This rank's values; its length must be <c>counts[Rank]</c>.</param>
    /// <param name="counts">The number of values of each rank (the same array on every rank); a count may be 0.</param>
    /// <returns>The <c>sum(counts)</c> values of all ranks.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="counts"/> does not have <see cref="Size"/> entries, or
    /// <paramref name="local"/> does not have <c>counts[Rank]</c> values.</exception>
    float[] AllGather(float[] local, int[] counts);

    /// <summary>Gathers one value of each rank, in rank order, on every rank (MPI_Allgather).</summary>
    /// <param name="value">This rank's value.</param>
    /// <returns>The <see cref="Size"/> values.</returns>
    long[] AllGather(long value);

    /// <summary>Replaces <paramref name="values"/> by the element-wise sum over all ranks (MPI_Allreduce with MPI_SUM);
    /// every rank must pass the same length.</summary>
    /// <param name="values">The values, summed in place.</param>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    void AllReduceSum(float[] values);

    /// <summary>Overwrites <paramref name="values"/> on every rank with those of rank <paramref name="root"/> (MPI_Bcast);
    /// every rank must pass the same length.</summary>
    /// <param name="values">The values, sent by the root and overwritten on the others.</param>
    /// <param name="root">The sending rank.</param>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="root"/> is not a rank.</exception>
    void Broadcast(float[] values, int root);

    /// <summary>Ends every process of the job with <paramref name="errorCode"/> (MPI_Abort): what a rank that failed
    /// calls, so that the others do not wait forever in a collective. Does not return.</summary>
    /// <param name="errorCode">The exit code of the job.</param>
    void Abort(int errorCode);
}
