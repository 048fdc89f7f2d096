// The runtime honours this attribute (by name) on the assembly that uses another assembly's non-public members.
// It is not defined in the BCL, so each user defines it. See docs/mlnet-internals.md.
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]

namespace System.Runtime.CompilerServices;

/// <summary>
/// Tells the runtime that this assembly may use the non-public types and members of the named assembly.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class IgnoresAccessChecksToAttribute : Attribute
{
    /// <summary>Initializes a new instance of the <see cref="IgnoresAccessChecksToAttribute"/> class.</summary>
    /// <param name="assemblyName">The simple name of the assembly whose access checks are ignored.</param>
    public IgnoresAccessChecksToAttribute(string assemblyName)
    {
        AssemblyName = assemblyName;
    }

    /// <summary>Gets the simple name of the assembly whose access checks are ignored.</summary>
    public string AssemblyName { get; }
}
