using System.Globalization;
using MLNet.Contrastive.MpiCheck;
using MLNet.Contrastive.Training.Distributed;
using static TorchSharp.torch;

// Usage (under a launcher): MLNet.Contrastive.MpiCheck step|train|throw
// Every rank prints lines "<KIND> rank=<r> size=<R> key=value ..." that the tests parse.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
set_num_threads(1);
set_num_interop_threads(1);
var communicator = DistributedSetup.Resolve(DistributedMode.Auto)
    ?? throw new InvalidOperationException("Not started by an MPI launcher with more than one rank (expected mpiexec.hydra -n 2 or more).");
var scenario = args.Length > 0 ? args[0] : "step";
switch (scenario)
{
    case "step":
        StepCases.Run(communicator);
        break;
    case "train":
        TrainingCheck.Run(communicator, failingRank: null);
        break;
    case "throw":
        TrainingCheck.Run(communicator, failingRank: 1);
        break;
    default:
        throw new ArgumentException($"Unknown scenario '{scenario}'; expected step, train or throw.");
}
