namespace MLNet.Contrastive;

/// <summary>Where training and inference run.</summary>
public enum DeviceKind
{
    /// <summary>CUDA when TorchSharp can use it, otherwise the CPU.</summary>
    Auto,

    /// <summary>The CPU.</summary>
    Cpu,

    /// <summary>The first CUDA device. Needs the CUDA backend (see docs/installation.md).</summary>
    Cuda,
}
