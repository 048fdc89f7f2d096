using TorchSharp;

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

/// <summary>Resolves a <see cref="DeviceKind"/> to a TorchSharp device.</summary>
public static class TorchDevice
{
    /// <summary>Returns the device for <paramref name="kind"/>.</summary>
    /// <param name="kind">The requested device.</param>
    /// <returns>The TorchSharp device.</returns>
    /// <exception cref="InvalidOperationException"><see cref="DeviceKind.Cuda"/> was requested but CUDA is not available.</exception>
    public static torch.Device Resolve(DeviceKind kind) => kind switch
    {
        DeviceKind.Cpu => torch.CPU,
        DeviceKind.Cuda when torch.cuda.is_available() => torch.CUDA,
        DeviceKind.Cuda => throw new InvalidOperationException(
            "Device 'Cuda' was requested but CUDA is not available: build with -p:TorchBackend=cuda-linux on a machine with an NVIDIA GPU, or choose DeviceKind.Cpu or DeviceKind.Auto."),
        DeviceKind.Auto => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown device kind."),
    };
}
