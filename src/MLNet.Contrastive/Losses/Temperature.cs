using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Contrastive.Losses;

/// <summary>
/// The temperature <c>t</c> of a contrastive loss, which divides every similarity (logits are <c>s / t</c>): fixed, or
/// learnable as in CLIP (Radford et al. 2021, arXiv 2103.00020).
/// </summary>
/// <remarks>
/// <para>A learnable temperature is parameterised by its log inverse (the log "logit scale"), <c>theta = log(1/t)</c>,
/// and used as <c>1/t = exp(clamp(theta, log(1/MaxValue), log(1/MinValue)))</c>: the clamp keeps
/// <c>MinValue &lt;= t &lt;= MaxValue</c> (defaults 0.01 and 100, CLIP's bound on the scale) and gives no gradient
/// beyond the bounds. <c>theta</c> is the module's only parameter; a trainer must hand <see cref="nn.Module.parameters(bool)"/>
/// to its optimizer (the trainer in <c>MLNet.Contrastive.Training</c> does, without weight decay).</para>
/// <para>A fixed temperature has no parameter.</para>
/// </remarks>
public sealed class Temperature : nn.Module
{
    private readonly double fixedValue;
    private readonly bool learnable;

    private Temperature(double value, bool learnable, double minValue, double maxValue)
        : base(nameof(Temperature))
    {
        fixedValue = value;
        MinValue = minValue;
        MaxValue = maxValue;
        this.learnable = learnable;
        if (learnable)
        {
            // Parameter takes the tensor's native handle and leaves it empty; the empty wrapper is disposed here, or it
            // would stay counted as a live tensor after the module is disposed.
            using var initial = tensor((float)Math.Log(1.0 / value));
            register_parameter(LogScaleName, new Parameter(initial, requires_grad: true));
        }
    }

    private const string LogScaleName = "log_scale";

    /// <summary>Gets a value indicating whether the temperature is a trainable parameter.</summary>
    public bool IsLearnable => learnable;

    // Looked up by name: moving the module to another device replaces the registered parameter.
    private Parameter? LogScale => learnable ? get_parameter(LogScaleName) : null;

    /// <summary>Gets the smallest temperature a learnable temperature may reach.</summary>
    public double MinValue { get; }

    /// <summary>Gets the largest temperature a learnable temperature may reach.</summary>
    public double MaxValue { get; }

    /// <summary>Gets the current temperature (after clamping).</summary>
    public double Value
    {
        get
        {
            if (LogScale is not { } logScale)
            {
                return fixedValue;
            }

            using var noGrad = no_grad();
            double theta = logScale.item<float>();
            theta = Math.Clamp(theta, Math.Log(1.0 / MaxValue), Math.Log(1.0 / MinValue));
            return Math.Exp(-theta);
        }
    }

    /// <summary>Creates a fixed temperature.</summary>
    /// <param name="value">The temperature, e.g. 0.05.</param>
    /// <returns>The temperature.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is not a positive finite number.</exception>
    public static Temperature Fixed(double value)
    {
        CheckPositive(value, nameof(value));
        return new Temperature(value, learnable: false, value, value);
    }

    /// <summary>Creates a learnable temperature.</summary>
    /// <param name="initialValue">The starting temperature, e.g. 0.07 (CLIP).</param>
    /// <param name="minValue">The lower bound of the temperature. Default 0.01.</param>
    /// <param name="maxValue">The upper bound of the temperature. Default 100.</param>
    /// <returns>The temperature; its parameter is a float32 scalar on the CPU (move it with <c>to(device)</c>).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is not a positive finite number, or
    /// <paramref name="initialValue"/> is outside [<paramref name="minValue"/>, <paramref name="maxValue"/>].</exception>
    public static Temperature Learnable(double initialValue, double minValue = 0.01, double maxValue = 100.0)
    {
        CheckPositive(initialValue, nameof(initialValue));
        CheckPositive(minValue, nameof(minValue));
        CheckPositive(maxValue, nameof(maxValue));
        if (initialValue < minValue || initialValue > maxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(initialValue), initialValue,
                $"The initial temperature must lie in [minValue, maxValue] = [{minValue}, {maxValue}].");
        }

        return new Temperature(initialValue, learnable: true, minValue, maxValue);
    }

    /// <summary>Returns the inverse temperature <c>1/t</c> as a float32 scalar, with autograd when learnable.</summary>
    /// <param name="device">The device of the fixed value (a learnable value lives where its parameter is).</param>
    /// <returns>A scalar tensor owned by the caller's dispose scope.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="device"/> is null.</exception>
    public Tensor InverseTemperature(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (LogScale is not { } logScale)
        {
            return tensor((float)(1.0 / fixedValue), device: device);
        }

        return logScale.clamp(Math.Log(1.0 / MaxValue), Math.Log(1.0 / MinValue)).exp();
    }

    internal static void CheckPositive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "The temperature must be a positive finite number.");
        }
    }
}
