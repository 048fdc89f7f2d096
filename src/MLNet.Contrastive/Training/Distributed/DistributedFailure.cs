namespace MLNet.Contrastive.Training.Distributed;

/// <summary>What a rank does when it fails: report the error and end the whole job, since the other ranks would
/// otherwise wait forever in their next collective.</summary>
internal static class DistributedFailure
{
    /// <summary>Writes the error, with the rank, to standard error, gives the launcher a moment to forward it, and aborts the job.</summary>
    public static void Abort(ICommunicator communicator, Exception error)
    {
        try
        {
            Console.Error.WriteLine($"[rank {communicator.Rank}/{communicator.Size}] distributed training failed; aborting the MPI job: {error}");
            Console.Error.Flush();
            Console.Out.Flush();

            // MPI_Abort kills the processes at once; without a pause the launcher may drop the message just written.
            Thread.Sleep(500);
        }
        finally
        {
            communicator.Abort(1);
        }
    }
}
