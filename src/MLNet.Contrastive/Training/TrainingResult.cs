namespace MLNet.Contrastive.Training;

/// <summary>What a <see cref="ContrastiveTrainer"/> run did.</summary>
/// <param name="Steps">The optimisation steps taken.</param>
/// <param name="Losses">The loss of every step.</param>
/// <param name="ValidationScores">The validation score after each epoch (empty without a callback).</param>
/// <param name="Elapsed">The training time.</param>
internal sealed record TrainingResult(int Steps, IReadOnlyList<double> Losses, IReadOnlyList<double> ValidationScores, TimeSpan Elapsed);
