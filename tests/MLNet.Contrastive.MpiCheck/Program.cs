using System.Globalization;
using MLNet.Contrastive.MpiCheck;
using MLNet.Contrastive.Training.Distributed;
using static TorchSharp.torch;

// Usage: MLNet.Contrastive.MpiCheck step|train|fit|throw|cancel (under a launcher), fit-single (without one), or
// checkpoint <folder|-> [stop-before-step] (either way).
// Every rank prints lines "<KIND> rank=<r> size=<R> key=value ..." that the tests parse.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
set_num_threads(1);
set_num_interop_threads(1);
var scenario = args.Length > 0 ? args[0] : "step";
if (scenario == "fit-single")
{
    // The same fit in one plain process with the default mode (Auto: no launcher, so no MPI), for comparison.
    FitCheck.Run(null, DistributedMode.Auto);
    return;
}

if (scenario == "checkpoint")
{
    // A Fit with a checkpoint after every step, in one process or over the launcher's ranks (Distributed = Auto).
    var folder = args.Length > 1 && args[1] != "-" ? args[1] : null;
    int? stopBefore = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : null;
    CheckpointCheck.Run(DistributedSetup.Resolve(DistributedMode.Auto), folder, stopBefore);
    return;
}

var communicator = DistributedSetup.Resolve(DistributedMode.Auto)
    ?? throw new InvalidOperationException("Not started by an MPI launcher with more than one rank (expected mpiexec.hydra -n 2 or more).");
switch (scenario)
{
    case "step":
        StepCases.Run(communicator);
        break;
    case "train":
        TrainingCheck.Run(communicator, failingRank: null);
        break;
    case "fit":
        FitCheck.Run(communicator, DistributedMode.Auto);
        break;
    case "throw":
        TrainingCheck.Run(communicator, failingRank: 1);
        break;
    case "cancel":
        TrainingCheck.RunCancelled(communicator, cancellingRank: 1);
        break;
    default:
        throw new ArgumentException($"Unknown scenario '{scenario}'; expected step, train, fit, throw or cancel.");
}
