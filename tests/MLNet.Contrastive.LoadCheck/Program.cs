using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

// Usage: MLNet.Contrastive.LoadCheck [--library] <model.zip> <texts.tsv> <input column> <output column> <result file>
// Writes one line per text: the vector's float bits as hexadecimal, separated by spaces. With --library the model is
// loaded by ContrastiveEmbeddingTransformer.Load (a bad model exits with code 3 and its message on stderr), else by
// mlContext.Model.Load with no use of the library before it.
// Usage: MLNet.Contrastive.LoadCheck --openmp
// Builds an encoder directly (no TorchRuntime call: the library's module initializer must have set the OpenMP setting
// before libtorch loads), runs one parallel operation and prints what the native environment and libtorch hold.
if (args is ["--openmp"])
{
    return OpenMpCheck.Run();
}

var library = args is ["--library", ..];
args = library ? args[1..] : args;
if (args.Length != 5)
{
    Console.Error.WriteLine("Usage: MLNet.Contrastive.LoadCheck [--library] <model.zip> <texts.tsv> <input column> <output column> <result file>");
    return 2;
}

var mlContext = new MLContext();
ITransformer model;
if (library)
{
    try
    {
        model = MLNet.Contrastive.Transforms.ContrastiveEmbeddingTransformer.Load(mlContext, args[0], out _);
    }
    catch (InvalidDataException e)
    {
        Console.Error.WriteLine(e.Message);
        return 3;
    }
}
else
{
    model = mlContext.Model.Load(args[0], out _);
}

var data = mlContext.Data.LoadFromTextFile(
    args[1], new[] { new TextLoader.Column(args[2], DataKind.String, 0) }, separatorChar: '\t', allowQuoting: false);
var transformed = model.Transform(data);
var lines = transformed.GetColumn<float[]>(args[3])
    .Select(v => string.Join(' ', v.Select(f => BitConverter.SingleToInt32Bits(f).ToString("x8", CultureInfo.InvariantCulture))));
File.WriteAllLines(args[4], lines);
Console.WriteLine($"Loaded {model.GetType().Name}; wrote {File.ReadAllLines(args[4]).Length} vectors.");
return 0;
