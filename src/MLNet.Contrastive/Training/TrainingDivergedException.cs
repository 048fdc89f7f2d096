namespace MLNet.Contrastive.Training;

/// <summary>Thrown when a step's loss or gradient norm is NaN or infinite; the weights are those of the last good step.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="TrainingDivergedException"/> class.</summary>
    public TrainingDivergedException()
        : this("Training diverged.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TrainingDivergedException"/> class.</summary>
    /// <param name="message">The message.</param>
    public TrainingDivergedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TrainingDivergedException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TrainingDivergedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the 0-based step whose loss was not finite.</summary>
    public int Step { get; init; }

    /// <summary>Gets the offending value (the loss, or the gradient norm).</summary>
    public double Value { get; init; }
}
