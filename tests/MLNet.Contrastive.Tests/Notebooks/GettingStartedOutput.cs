using System.Globalization;
using System.Text.RegularExpressions;
using SkiaSharp;

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

        AssertTrainingCurve(output);

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

    // The training curve is a real picture of a falling loss: a 640 x 320 PNG (ScottPlot's <img> markup) whose
    // coloured pixels (the line; axes and text are grey on white) run from high on the left to low on the right.
    private static void AssertTrainingCurve(string output)
    {
        var printed = Regex.Match(output, @"Training curve: (\d+) steps, 640 x 320 pixels");
        Assert.IsTrue(printed.Success, output);
        var image = Regex.Match(output, "<img[^>]*src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
        Assert.IsTrue(image.Success, "no PNG <img> in the notebook's output");
        using var bitmap = SKBitmap.Decode(Convert.FromBase64String(image.Groups[1].Value));
        Assert.IsNotNull(bitmap, "the <img> data is not a PNG");
        Assert.AreEqual(640, bitmap.Width);
        Assert.AreEqual(320, bitmap.Height);

        var lineRows = new SortedDictionary<int, List<int>>();
        for (var x = 0; x < bitmap.Width; x++)
        {
            for (var y = 0; y < bitmap.Height; y++)
            {
                var pixel = bitmap.GetPixel(x, y);
                var spread = Math.Max(pixel.Red, Math.Max(pixel.Green, pixel.Blue)) - Math.Min(pixel.Red, Math.Min(pixel.Green, pixel.Blue));
                if (spread > 80)
                {
                    if (!lineRows.TryGetValue(x, out var rows))
                    {
                        lineRows[x] = rows = new List<int>();
                    }

                    rows.Add(y);
                }
            }
        }

        Assert.IsGreaterThan(bitmap.Width / 2, lineRows.Count, "the line spans most of the picture's width");
        var columns = lineRows.Keys.ToList();
        var tenth = Math.Max(1, columns.Count / 10);
        double MeanRow(IEnumerable<int> xs) => xs.SelectMany(x => lineRows[x]).Average();
        var left = MeanRow(columns.Take(tenth));
        var right = MeanRow(columns.TakeLast(tenth));
        Assert.IsGreaterThan(left + (bitmap.Height / 4.0), right, $"the loss falls: the line's mean row {left:0} on the left, {right:0} on the right");
    }

    private static double Number(Group group) => double.Parse(group.Value, NumberStyles.Float, CultureInfo.InvariantCulture);
}
