using System.Text;
using ExampleData;

namespace MLNet.Contrastive.Tests.Examples;

[TestClass]
public sealed class ApiDocsTaskBuilderTests
{
    private const string HashSummary = "Returns the hash code for this instance.";
    private const int GeneratedTypes = 20;
    private static string folder = "";

    [ClassInitialize]
    public static void WriteXml(TestContext _)
    {
        folder = Path.Combine(Path.GetTempPath(), "mlnet-contrastive-apidocs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><doc><assembly><name>Demo</name></assembly><members>");
        xml.Append("""
            <member name="T:Demo.Collections.Box`1">
              <summary>A box that holds
                 items of type <typeparamref name="TItem" />.</summary>
              <typeparam name="TItem">The item type.</typeparam>
            </member>
            <member name="M:Demo.Collections.Box`1.Put(`0,System.Int32)">
              <summary>Puts <paramref name="count" /> copies of an item into the <see cref="T:Demo.Collections.Box`1" />, or throws if it is <see langword="null" />.</summary>
              <param name="item">The item.</param><param name="count">How many.</param>
            </member>
            <member name="M:Demo.Collections.Box`1.#ctor(System.Collections.Generic.IEnumerable{`0})">
              <summary>Initializes a new box from a sequence.</summary>
              <param name="items">The items.</param>
            </member>
            <member name="M:Demo.Collections.Box`1.Map``1(System.Func{`0,``0})">
              <summary>Maps the items with a function.</summary>
              <typeparam name="TResult">The result type.</typeparam>
              <param name="selector">The function.</param>
            </member>
            <member name="P:Demo.Collections.Box`1.Item(System.Int32)">
              <summary>Gets the item at an index of the box.</summary>
              <param name="index">The index.</param>
            </member>
            <member name="M:Demo.Text.Parser.TryParse(System.String,System.Int32@,System.Double[0:,0:])">
              <summary>Tries to parse a number from text.</summary>
            </member>
            <member name="M:Demo.Text.Parser.Ignored"><summary>To be added.</summary></member>
            <member name="F:Demo.Text.Parser.Field"><summary>A field is not a type, method or property.</summary></member>
            <member name="T:Demo.Text.Parser"><summary>Parses numbers from text input.</summary></member>
            """);
        for (int t = 0; t < GeneratedTypes; t++)
        {
            xml.Append($"""
                <member name="T:Demo.Generated.Type{t}"><summary>Generated type number {t} of the demo.</summary></member>
                <member name="M:Demo.Generated.Type{t}.GetHashCode"><summary>{HashSummary}</summary></member>
                <member name="P:Demo.Generated.Type{t}.Size"><summary>Gets the size of generated type {t}.</summary></member>
                """);
        }
        xml.Append("</members></doc>");
        File.WriteAllText(Path.Combine(folder, "Demo.xml"), xml.ToString());
    }

    [ClassCleanup]
    public static void DeleteXml() => Directory.Delete(folder, recursive: true);

    private static IReadOnlyList<ApiMember> Members() => ApiDocsReader.ReadMembers([Path.Combine(folder, "Demo.xml")]);

    private static ApiMember Member(string docId) => Members().Single(m => m.DocId == docId);

    [TestMethod]
    public void ReadMembers_WritesReadableSignatures()
    {
        Assert.AreEqual("Box<TItem> — type in Demo.Collections", Member("T:Demo.Collections.Box`1").Signature);
        Assert.AreEqual("Box<TItem>.Put(TItem item, int count) — method of Demo.Collections.Box<TItem>",
            Member("M:Demo.Collections.Box`1.Put(`0,System.Int32)").Signature);
        Assert.AreEqual("Box<TItem>(IEnumerable<TItem> items) — constructor of Demo.Collections.Box<TItem>",
            Member("M:Demo.Collections.Box`1.#ctor(System.Collections.Generic.IEnumerable{`0})").Signature);
        Assert.AreEqual("Box<TItem>.Map<TResult>(Func<TItem, TResult> selector) — method of Demo.Collections.Box<TItem>",
            Member("M:Demo.Collections.Box`1.Map``1(System.Func{`0,``0})").Signature);
        Assert.AreEqual("Box<TItem>[int index] — indexer of Demo.Collections.Box<TItem>",
            Member("P:Demo.Collections.Box`1.Item(System.Int32)").Signature);
        // No <param> elements: types only; by-ref and multi-dimensional arrays readable.
        Assert.AreEqual("Parser.TryParse(string, ref int, double[,]) — method of Demo.Text.Parser",
            Member("M:Demo.Text.Parser.TryParse(System.String,System.Int32@,System.Double[0:,0:])").Signature);
    }

    [TestMethod]
    public void ReadMembers_RendersSummaryText_AndDropsPlaceholdersAndFields()
    {
        Assert.AreEqual("A box that holds items of type TItem.", Member("T:Demo.Collections.Box`1").Summary);
        Assert.AreEqual("Puts count copies of an item into the Box<T>, or throws if it is null.",
            Member("M:Demo.Collections.Box`1.Put(`0,System.Int32)").Summary);
        var ids = Members().Select(m => m.DocId).ToHashSet();
        Assert.IsFalse(ids.Contains("M:Demo.Text.Parser.Ignored"), "'To be added.' is not a real summary");
        Assert.IsFalse(ids.Contains("F:Demo.Text.Parser.Field"), "fields are not kept");
        Assert.AreEqual(7 + 3 * GeneratedTypes, ids.Count); // 5 Box members, Parser and TryParse, 3 per generated type
    }

    [TestMethod]
    public void Build_IdenticalSummariesShareOneGroup_AndTestQueryHasAllTheirDocuments()
    {
        var task = ApiDocsTaskBuilder.Build(new ApiDocsTaskOptions { XmlDocsFolder = folder, TestFraction = 0.3, Seed = 7 });

        // In training, anchor text and group id correspond one to one.
        var groupsByAnchor = task.TrainPairs.GroupBy(p => p.Anchor).ToDictionary(g => g.Key, g => g.Select(p => p.Group).Distinct().ToList());
        Assert.IsTrue(groupsByAnchor.Values.All(g => g.Count == 1));
        Assert.AreEqual(groupsByAnchor.Count, groupsByAnchor.Values.Select(g => g[0]).Distinct().Count());
        Assert.IsTrue(task.TrainPairs.Count(p => p.Anchor == HashSummary) >= 2);

        // In the test set the hash-code summary is one query whose relevant documents are every test GetHashCode.
        int query = task.Test.Queries.ToList().IndexOf(HashSummary);
        Assert.IsTrue(query >= 0);
        var expected = task.Test.Corpus.Select((d, i) => (d, i)).Where(x => x.d.Contains(".GetHashCode()")).Select(x => x.i).ToList();
        Assert.IsTrue(expected.Count >= 2);
        CollectionAssert.AreEqual(expected, task.Test.RelevantDocuments[query].ToList());
        Assert.AreEqual(task.Test.Queries.Count, task.Test.Queries.Distinct().Count(), "one query per distinct summary");
        Assert.AreEqual(1, task.TestQueriesSeenInTraining, "only the hash-code summary occurs on both sides");
    }

    [TestMethod]
    public void Build_SplitHasNoTypeOnBothSides_AndHonoursTheFraction()
    {
        var members = Members();
        var task = ApiDocsTaskBuilder.Build(members, new ApiDocsTaskOptions { TestFraction = 0.25, Seed = 3 });

        Assert.AreEqual(0, task.TrainTypes.Intersect(task.TestTypes).Count());
        var typeOfSignature = members.ToDictionary(m => m.Signature, m => m.DeclaringTypeId);
        Assert.IsTrue(task.Test.Corpus.All(d => task.TestTypes.Contains(typeOfSignature[d])));
        Assert.IsTrue(task.TrainPairs.All(p => task.TrainTypes.Contains(typeOfSignature[p.Positive])));
        Assert.AreEqual(members.Count, task.TrainPairs.Count + task.Test.Corpus.Count);
        // Whole types of at most 5 members each are added until 25% of 67 (16.75 -> 17) is reached.
        Assert.IsTrue(task.Test.Corpus.Count is >= 17 and < 17 + 5, $"test size {task.Test.Corpus.Count}");
    }

    [TestMethod]
    public void Build_IsDeterministicForASeed_AndDependsOnIt()
    {
        var members = Members();
        var a = ApiDocsTaskBuilder.Build(members, new ApiDocsTaskOptions { Seed = 11 });
        var b = ApiDocsTaskBuilder.Build(members, new ApiDocsTaskOptions { Seed = 11 });
        var c = ApiDocsTaskBuilder.Build(members, new ApiDocsTaskOptions { Seed = 12 });

        CollectionAssert.AreEqual(a.TrainPairs.Select(p => (p.Anchor, p.Positive, p.Group)).ToList(),
            b.TrainPairs.Select(p => (p.Anchor, p.Positive, p.Group)).ToList());
        CollectionAssert.AreEqual(a.Test.Corpus.ToList(), b.Test.Corpus.ToList());
        CollectionAssert.AreEqual(a.Test.Queries.ToList(), b.Test.Queries.ToList());
        CollectionAssert.AreNotEqual(a.TestTypes.ToList(), c.TestTypes.ToList());
    }

    [TestMethod]
    public void Build_MaximumMembers_LimitsTheTask()
    {
        var task = ApiDocsTaskBuilder.Build(Members(), new ApiDocsTaskOptions { MaximumMembers = 30, Seed = 5 });
        Assert.AreEqual(30, task.TrainPairs.Count + task.Test.Corpus.Count);
    }

    [TestMethod]
    public void Build_FolderWithoutXml_ErrorSaysHowToPointAtDocs()
    {
        string empty = Directory.CreateTempSubdirectory("mlnet-contrastive-empty").FullName;
        try
        {
            var error = Assert.ThrowsExactly<DirectoryNotFoundException>(() =>
                ApiDocsTaskBuilder.Build(new ApiDocsTaskOptions { XmlDocsFolder = empty }));
            StringAssert.Contains(error.Message, "XmlDocsFolder");
        }
        finally
        {
            Directory.Delete(empty);
        }
    }
}
