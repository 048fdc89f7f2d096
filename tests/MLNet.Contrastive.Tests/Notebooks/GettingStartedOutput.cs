using System.Globalization;
using System.Text.RegularExpressions;

namespace MLNet.Contrastive.Tests.Notebooks;

/// <summary>What GettingStarted.ipynb must print, however it is run (file-based program or the real kernel).</summary>
internal static class GettingStartedOutput
{
    /// <summary>Asserts the printed results of every step of the notebook.</summary>
    internal static void AssertAll(string output)
    {
        // Training lowered the loss: InfoNCE over 12-way in-batch negatives starts near ln 12 = 2.5 for random vectors.
        var loss = Regex.Match(output, @"Loss: first step ([\d.]+), last step ([\d.]+)");
        Assert.IsTrue(loss.Success, output);
        Assert.IsLessThan(Number(loss.Groups[1]) / 2, Number(loss.Groups[2]), loss.Value);

        var embedded = Regex.Match(output, @"Embedded (\d+) answers into (\d+) dimensions");
        Assert.IsTrue(embedded.Success, output);
        Assert.AreEqual("64", embedded.Groups[2].Value, "the notebook asks for EmbeddingDimension = 64");

        // The reloaded model must give bit-identical vectors (the persistence format stores the float32 weights as is).
        var reload = Regex.Match(output, @"Reloaded model: largest difference (\S+)");
        Assert.IsTrue(reload.Success, output);
        Assert.AreEqual(0.0, Number(reload.Groups[1]), reload.Value);

        // Each unseen query's nearest answer must come from the query's topic (the notebook prints both).
        var hits = Regex.Matches(output, @"Top hit topic: (\w+) \(query topic: (\w+)\)");
        Assert.HasCount(3, hits, output);
        foreach (Match hit in hits)
        {
            Assert.AreEqual(hit.Groups[2].Value, hit.Groups[1].Value, hit.Value);
        }

        // Three clusters covering all answers, nearly one per topic. The topics have distinct vocabularies, and over
        // seeds 1-3 the purity was 1.00 each time; 0.9 still allows three of the 36 answers in another topic's
        // cluster, while chance level is about 0.4.
        var clusterSizes = Regex.Matches(output, @"Cluster \d+: (\d+) answers").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.HasCount(3, clusterSizes, output);
        Assert.AreEqual(int.Parse(embedded.Groups[1].Value, CultureInfo.InvariantCulture), clusterSizes.Sum());
        var purity = Regex.Match(output, @"Cluster purity: ([\d.]+)");
        Assert.IsTrue(purity.Success, output);
        Assert.IsGreaterThanOrEqualTo(0.9, Number(purity.Groups[1]), purity.Value);
    }

    private static double Number(Group group) => double.Parse(group.Value, NumberStyles.Float, CultureInfo.InvariantCulture);
}
