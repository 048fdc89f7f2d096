using MLNet.Contrastive.Encoders;
using Spectre.Console;

namespace QuickStart;

/// <summary>What the QuickStart does: the data, the model, the schedule, the evaluation caps and where the model goes.</summary>
/// <remarks>Defaults are the full run (the whole .NET API documentation, a few minutes on 2 CPU cores);
/// <see cref="Reduced"/> gives the settings of <c>--quick</c>.</remarks>
public sealed class QuickStartOptions
{
    /// <summary>Gets or sets a TSV file of the user's own pairs (anchor, positive, optional negatives). Default is
    /// <see langword="null"/>: the .NET SDK's API documentation.</summary>
    public string? DataPath { get; set; }

    /// <summary>Gets or sets the folder of XML API documentation to use instead of the installed SDK's. Default is <see langword="null"/>.</summary>
    public string? XmlDocsFolder { get; set; }

    /// <summary>Gets or sets an STS benchmark file (sts-test.csv) on which the models are also scored (Spearman), or null.</summary>
    public string? StsPath { get; set; }

    /// <summary>Gets or sets the largest number of API members used (train and test). Default is <see langword="null"/>: all.</summary>
    public int? MaxMembers { get; set; }

    /// <summary>Gets or sets a value indicating whether only the from-scratch run is made (<c>--from-scratch</c>): no
    /// MiniLM start, the untrained model as the baseline. Default is <see langword="false"/>: the main job fine-tunes
    /// all-MiniLM-L6-v2 and compares it with TF-IDF, MiniLM off the shelf and the from-scratch model.</summary>
    public bool FromScratch { get; set; }

    /// <summary>Gets or sets how many training pairs (a seeded sample) fine-tune MiniLM. Default is 10240 (80 steps of 128, about 10 minutes on 2 cores; docs/pretrained.md).</summary>
    public int FineTunePairs { get; set; } = 10240;

    /// <summary>Gets or sets the epochs of MiniLM fine-tuning. Default is 1.</summary>
    public int FineTuneEpochs { get; set; } = 1;

    /// <summary>Gets or sets the contrastive batch of MiniLM fine-tuning. Default is 128.</summary>
    public int FineTuneBatchSize { get; set; } = 128;

    /// <summary>Gets or sets the gradient-cache chunk of MiniLM fine-tuning. Default is 32.</summary>
    public int FineTuneChunkSize { get; set; } = 32;

    /// <summary>Gets or sets the peak learning rate of MiniLM fine-tuning. Default is 3e-4 (a short run with 2 layers frozen: on 8192 pairs 1e-4 reached MRR@10 0.706, 3e-4 0.748, 4e-4 0.750; docs/pretrained.md).</summary>
    public double FineTuneLearningRate { get; set; } = 3e-4;

    /// <summary>Gets or sets how many of MiniLM's 6 layers are frozen (a cheaper backward pass). Default is 2.</summary>
    public int FrozenLayers { get; set; } = 2;

    /// <summary>Gets or sets the maximum tokens per text for MiniLM. Default is 48.</summary>
    public int FineTuneMaxTokens { get; set; } = 48;

    /// <summary>Gets or sets the largest number of documents the final searches run over with MiniLM (a seeded sample of
    /// training documents plus all test documents; a 6-layer Transformer embeds about a hundred texts a second on 2 cores).
    /// Default is 6000.</summary>
    public int MaxSearchDocuments { get; set; } = 6000;

    /// <summary>Gets or sets the number of passes over the training pairs. Default is 3.</summary>
    public int Epochs { get; set; } = 3;

    /// <summary>Gets or sets the contrastive batch: examples per optimizer step, all negatives of each other. Default is 512.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>Gets or sets the gradient-cache chunk: texts per forward/backward pass; it bounds memory. Default is 64.</summary>
    public int ChunkSize { get; set; } = 64;

    /// <summary>Gets or sets the encoder. Default is <see cref="EncoderKind.Static"/>: on 2 CPU cores it trained about
    /// 12 times faster than a 2-layer Transformer of the same width and learned more per step (see docs/getting-started.md).</summary>
    public EncoderKind Encoder { get; set; } = EncoderKind.Static;

    /// <summary>Gets or sets the encoder width (and embedding size). Default is 128.</summary>
    public int Width { get; set; } = 128;

    /// <summary>Gets or sets the number of Transformer layers. Default is 2.</summary>
    public int Layers { get; set; } = 2;

    /// <summary>Gets or sets the maximum tokens per text; longer texts are truncated. Default is 48.</summary>
    public int MaxTokens { get; set; } = 48;

    /// <summary>Gets or sets the peak learning rate. Default is 1e-3.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Gets or sets the seed of the split, the initial weights, shuffling and dropout. Default is 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Gets or sets the largest number of test documents evaluated (whole queries are sampled until it is
    /// reached), which keeps the evaluation short. Default is 2000.</summary>
    public int MaxTestDocuments { get; set; } = 2000;

    /// <summary>Gets or sets where the model is saved. Default is <c>model.zip</c> in the current folder.</summary>
    public string OutputPath { get; set; } = "model.zip";

    /// <summary>Gets or sets the searches answered with the saved model. Default is five everyday .NET questions.</summary>
    public IReadOnlyList<string> Searches { get; set; } =
    [
        "remove all elements from a collection",
        "read all lines of a text file",
        "parse a string into an integer",
        "current date and time",
        "sort an array",
    ];

    /// <summary>Gets or sets how many members each search returns. Default is 5.</summary>
    public int SearchResults { get; set; } = 5;

    /// <summary>Gets or sets the terminal on which training shows a live progress bar (Spectre.Console). Default is
    /// <see langword="null"/>: progress is printed as plain lines to the run's output (redirected output, CI, tests).</summary>
    public IAnsiConsole? LiveProgressConsole { get; set; }

    /// <summary>Gets or sets a token that stops training between steps. Default is <see cref="CancellationToken.None"/>.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Switches to reduced mode (<c>--quick</c>): a few hundred members, one short epoch, a smaller batch.</summary>
    /// <remarks>Used by the test suite; it learns something measurable in well under a minute on 2 cores.</remarks>
    public void Reduced()
    {
        MaxMembers ??= 1000;
        FromScratch = true; // MiniLM fine-tuning takes minutes on 2 cores; the reduced mode stays from scratch
        Epochs = 2;
        BatchSize = 128;
        ChunkSize = 32;
        MaxTestDocuments = Math.Min(MaxTestDocuments, 500);
    }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range (the parameter name is the option).</exception>
    /// <exception cref="ArgumentException">The output path or a search is empty, or the TSV file does not exist.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Epochs, "--epochs");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, "--batch");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ChunkSize, "--chunk");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ChunkSize, BatchSize, "--chunk");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Width, "--width");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Layers, "--layers");
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTokens, 4, "--max-tokens");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTestDocuments, "--max-test-docs");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(FineTunePairs, "--finetune-pairs");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(FineTuneEpochs, "--finetune-epochs");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(FineTuneBatchSize, "--finetune-batch");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(FineTuneChunkSize, "--finetune-chunk");
        ArgumentOutOfRangeException.ThrowIfLessThan(FineTuneMaxTokens, 4, "--finetune-max-tokens");
        ArgumentOutOfRangeException.ThrowIfNegative(FrozenLayers, "--frozen-layers");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(FrozenLayers, 6, "--frozen-layers");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSearchDocuments, nameof(MaxSearchDocuments));
        if (!(FineTuneLearningRate > 0 && double.IsFinite(FineTuneLearningRate)))
        {
            throw new ArgumentOutOfRangeException("--finetune-lr", FineTuneLearningRate, "Expected a finite learning rate > 0.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SearchResults, nameof(SearchResults));
        if (MaxMembers is int max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 20, "--max-members");
        }

        if (!(LearningRate > 0 && double.IsFinite(LearningRate)))
        {
            throw new ArgumentOutOfRangeException("--lr", LearningRate, "Expected a finite learning rate > 0.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(OutputPath, "--output");
        ArgumentNullException.ThrowIfNull(Searches, nameof(Searches));
        if (Searches.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Expected non-empty search texts.", "--search");
        }

        if (DataPath is not null && !File.Exists(DataPath))
        {
            throw new ArgumentException($"The TSV file '{DataPath}' does not exist; expected lines anchor<TAB>positive[<TAB>negative...].", "--data");
        }

        if (StsPath is not null && !File.Exists(StsPath))
        {
            throw new ArgumentException($"The STS benchmark file '{StsPath}' does not exist; expected a tab-separated file as sts-test.csv (genre, file, year, id, score, sentence1, sentence2).", "--sts");
        }

        if (DataPath is not null && XmlDocsFolder is not null)
        {
            throw new ArgumentException("Give either --data (your own pairs) or --docs (an API documentation folder), not both.", "--docs");
        }
    }
}
