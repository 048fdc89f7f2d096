namespace MLNet.Contrastive.Tests;

/// <summary>
/// The file system's immutable flag (chattr +i): an immutable file cannot be replaced, renamed or deleted, and nothing
/// can be created in an immutable folder, root included; as a read-only mount or a revoked permission would.
/// </summary>
internal static class ImmutableFlag
{
    internal static void Set(string path, bool on)
    {
        using var chattr = System.Diagnostics.Process.Start("chattr", [on ? "+i" : "-i", path])!;
        chattr.WaitForExit();
        Assert.AreEqual(0, chattr.ExitCode, "chattr (e2fsprogs) must be able to set the immutable flag: run the tests as root on ext4");
    }
}
