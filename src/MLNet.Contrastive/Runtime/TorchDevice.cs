using TorchSharp;

namespace MLNet.Contrastive.Runtime;

/// <summary>Resolves a <see cref="DeviceKind"/> to a TorchSharp device.</summary>
internal static class TorchDevice
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
