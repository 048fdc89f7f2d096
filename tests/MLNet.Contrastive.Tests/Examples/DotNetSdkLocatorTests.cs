using ExampleData;

namespace MLNet.Contrastive.Tests.Examples;

[TestClass]
public sealed class DotNetSdkLocatorTests
{
    [TestMethod]
    public void FindReferenceDocsFolder_OnThisMachine_FindsXmlDocumentation()
    {
        // The .NET SDK that runs these tests ships the reference pack, on CI too: nothing is skipped.
        string folder = DotNetSdkLocator.FindReferenceDocsFolder();

        StringAssert.Contains(folder, Path.Combine("packs", "Microsoft.NETCore.App.Ref"));
        Assert.IsTrue(File.Exists(Path.Combine(folder, "System.Runtime.xml")), $"no System.Runtime.xml in {folder}");
    }

    [TestMethod]
    public void FindReferenceDocsFolder_RootWithoutPacks_ErrorSaysWhatIsMissingAndHow()
    {
        string root = Directory.CreateTempSubdirectory("mlnet-contrastive-noroot").FullName;
        try
        {
            var error = Assert.ThrowsExactly<DirectoryNotFoundException>(() => DotNetSdkLocator.FindReferenceDocsFolder(root));
            StringAssert.Contains(error.Message, Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref"));
            StringAssert.Contains(error.Message, "DOTNET_ROOT");
            StringAssert.Contains(error.Message, "XmlDocsFolder");
        }
        finally
        {
            Directory.Delete(root);
        }
    }

    [TestMethod]
    public void Build_ReducedTaskFromTheInstalledSdk_HasBothSides()
    {
        var task = ApiDocsTaskBuilder.Build(new ApiDocsTaskOptions { MaximumMembers = 300, Seed = 1 });

        Assert.AreEqual(300, task.TrainPairs.Count + task.Test.Corpus.Count);
        Assert.IsTrue(task.Test.Queries.Count > 0 && task.TrainPairs.Count > 0);
        Assert.IsTrue(task.Test.Corpus.All(d => d.Contains(" — ", StringComparison.Ordinal)), "every document is a readable signature");
        Assert.IsFalse(task.Test.Corpus.Concat(task.TrainPairs.Select(p => p.Positive)).Any(d => d.Contains('`')),
            "no raw generic arity marks left");
    }
}
