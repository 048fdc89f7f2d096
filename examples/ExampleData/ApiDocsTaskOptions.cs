namespace ExampleData;

/// <summary>Options of <see cref="ApiDocsTaskBuilder"/>.</summary>
public sealed class ApiDocsTaskOptions
{
    /// <summary>Gets or sets the folder holding the XML documentation files (*.xml). Default is null: the newest
    /// reference pack of the installed .NET SDK, found by <see cref="DotNetSdkLocator.FindReferenceDocsFolder"/>.</summary>
    public string? XmlDocsFolder { get; set; }

    /// <summary>Gets or sets the largest number of members used, train and test together; whole declaring types are
    /// drawn in seeded random order until the budget is filled (the last type may be cut). Default is null: all members.
    /// A few hundred gives a reduced task for tests.</summary>
    public int? MaximumMembers { get; set; }

    /// <summary>Gets or sets the fraction of members, taken as whole declaring types, put in the test set. Default is 0.2.</summary>
    public double TestFraction { get; set; } = 0.2;

    /// <summary>Gets or sets the seed of the type shuffle that decides the sample and the split. Default is 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Gets or sets namespace prefixes whose members are left out. Default is the hardware-intrinsics namespaces
    /// (<c>System.Runtime.Intrinsics.Arm</c>, <c>.X86</c>, <c>.Wasm</c>), whose summaries are mostly instruction
    /// mnemonics such as "svfloat32_t svrecpe_f32 FRECPE Zresult.S, Zop.S" rather than prose.</summary>
    public IReadOnlyList<string> ExcludedNamespacePrefixes { get; set; } =
        ["System.Runtime.Intrinsics.Arm", "System.Runtime.Intrinsics.X86", "System.Runtime.Intrinsics.Wasm"];
}
