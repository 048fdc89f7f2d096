// Tests run one at a time: TorchSharp's RNG and thread settings are process-global.
[assembly: DoNotParallelize]
