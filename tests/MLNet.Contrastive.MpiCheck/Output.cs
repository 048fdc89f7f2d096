using System.Text;

namespace MLNet.Contrastive.MpiCheck;

/// <summary>Writes result lines that the tests parse.</summary>
internal static class Output
{
    private static readonly Stream StandardOutput = Console.OpenStandardOutput();

    /// <summary>Writes <paramref name="line"/> and its newline in one write call. Console.WriteLine may split a long
    /// line into several writes, and the launcher then interleaves the ranks' pieces on one line of its output; one
    /// write of less than PIPE_BUF (4096 bytes) to a pipe is atomic.</summary>
    public static void Line(string line)
    {
        Console.Out.Flush();
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (StandardOutput)
        {
            StandardOutput.Write(bytes);
            StandardOutput.Flush();
        }
    }
}
