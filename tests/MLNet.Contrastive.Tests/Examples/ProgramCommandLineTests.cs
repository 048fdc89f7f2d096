using BenchmarkCommandLine = MLNet.Contrastive.Benchmarks.CommandLine;
using BenchmarkConfig = MLNet.Contrastive.Benchmarks.BenchmarkConfig;
using BenchmarkProgram = MLNet.Contrastive.Benchmarks.Program;
using ExperimentsCommandLine = MLNet.Contrastive.Experiments.CommandLine;

namespace MLNet.Contrastive.Tests.Examples;

/// <summary>The System.CommandLine parsers of examples/Experiments and tests/MLNet.Contrastive.Benchmarks.</summary>
[TestClass]
public sealed class ProgramCommandLineTests
{
    [TestMethod]
    public void Experiments_Options_AreRead()
    {
        var all = ExperimentsCommandLine.Parse([])!;
        var one = ExperimentsCommandLine.Parse(["--only", "dcl", "--quick", "--data", "/data"])!;

        Assert.IsTrue(all.Runs("sts") && all.Runs("batch") && all.Runs("dcl"));
        Assert.IsFalse(all.Quick);
        Assert.AreEqual(new ExperimentsCommandLine("dcl", true, "/data"), one);
        Assert.IsFalse(one.Runs("sts"));
        Assert.IsNull(ExperimentsCommandLine.Parse(["--help"]));
        StringAssert.Contains(ExperimentsCommandLine.Usage, "--only <sts|batch|dcl|pretrained|apidocs>");
    }

    [TestMethod]
    [DataRow(new[] { "--only", "foo" }, "Option '--only' expects one of sts, batch, dcl, pretrained, apidocs; got 'foo'.")]
    [DataRow(new[] { "--only" }, "--only")]
    [DataRow(new[] { "--bogus" }, "'--bogus'")]
    public void Experiments_BadArguments_ThrowSayingWhatIsWrong(string[] args, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => ExperimentsCommandLine.Parse(args));
        StringAssert.Contains(e.Message, expected);
    }

    [TestMethod]
    public void Benchmarks_ParentAndChildArguments_AreRead()
    {
        var defaults = BenchmarkCommandLine.Parse([])!;
        var parent = BenchmarkCommandLine.Parse(["--quick", "--suites", "a, d", "--out", "/tmp/b.md"])!;
        var child = BenchmarkCommandLine.Parse(BenchmarkProgram.ChildArguments(BenchmarkConfig.QuickRun, "memory", 128))!;

        CollectionAssert.AreEqual(new[] { "a", "b", "c", "d", "e", "g" }, defaults.Suites, "f (MPI) only when asked for");
        Assert.IsNull(defaults.ChildSuite);
        CollectionAssert.AreEqual(new[] { "a", "d" }, parent.Suites);
        Assert.IsTrue(parent.Quick);
        Assert.AreEqual("/tmp/b.md", parent.OutputPath);
        Assert.AreEqual("memory", child.ChildSuite);
        Assert.AreEqual(128, child.ChildBatch);
        Assert.IsTrue(child.Quick, "the child runs the parent's sizes");
        Assert.IsNull(BenchmarkCommandLine.Parse(["-h"]));
        Assert.DoesNotContain("--child", BenchmarkCommandLine.Usage, "the parent/child protocol is hidden from --help");
    }

    [TestMethod]
    [DataRow(new[] { "--suites", "a,x" }, "got 'x'")]
    [DataRow(new[] { "--child", "step" }, "--child")]
    [DataRow(new[] { "--child", "step", "many" }, "batch size >= 0; got 'many'")]
    [DataRow(new[] { "--out" }, "--out")]
    public void Benchmarks_BadArguments_ThrowSayingWhatIsWrong(string[] args, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => BenchmarkCommandLine.Parse(args));
        StringAssert.Contains(e.Message, expected);
    }
}
