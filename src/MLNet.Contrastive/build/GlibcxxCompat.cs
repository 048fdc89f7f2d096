// Compiled by MSBuild's RoslynCodeTaskFactory from MLNet.Contrastive.targets; not part of the library.
//
// TorchSharp 0.107's libLibTorchSharp.so was linked against GCC 13's libstdc++ and asks for the
// symbol version GLIBCXX_3.4.32, for one symbol (std::ios_base_library_init()) that nothing
// relocates against. Older distributions (Debian 12: GLIBCXX_3.4.30) refuse to load it, and TorchSharp
// then reports a misleading "doesn't contain a reference to libtorch-cpu-linux-x64".
//
// The fix marks that one version requirement weak (VER_FLG_WEAK in .gnu.version_r): the loader then
// accepts the library. It edits a copy in the build or publish output, never the NuGet cache, does
// nothing when the system's libstdc++ already has the version, and is idempotent.
// Written for netstandard2.0, which is what RoslynCodeTaskFactory compiles against; the tests compile it too, and the
// library compiles ElfVerneed (internal, MLNET_CONTRASTIVE_RUNTIME) for the run-time fix of LibTorchSharpRuntimeFix.cs.
#nullable disable
using System;
using System.Diagnostics;
using System.IO;
using System.Text;
#if !MLNET_CONTRASTIVE_TESTS && !MLNET_CONTRASTIVE_RUNTIME
using Microsoft.Build.Framework;
#endif
#if MLNET_CONTRASTIVE_RUNTIME

namespace MLNet.Contrastive.Runtime;
#endif

#if !MLNET_CONTRASTIVE_TESTS && !MLNET_CONTRASTIVE_RUNTIME
public sealed class MarkGlibcxxVersionWeak : Microsoft.Build.Utilities.Task
{
    /// <summary>The copies of libLibTorchSharp.so to fix (those that do not exist are skipped).</summary>
    [Required]
    public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The version to mark weak.</summary>
    public string VersionName { get; set; } = "GLIBCXX_3.4.32";

    /// <summary>Patch even if the system's libstdc++ has the version (for tests of the step itself).</summary>
    public bool Force { get; set; }

    public override bool Execute()
    {
        if (!Force && ElfVerneed.SystemLibStdCxxHas(VersionName))
        {
            Log.LogMessage(MessageImportance.Low, $"libstdc++ provides {VersionName}; libLibTorchSharp.so left as it is.");
            return true;
        }

        foreach (var item in Libraries)
        {
            var path = item.ItemSpec;
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                var bytes = File.ReadAllBytes(path);
                var result = ElfVerneed.Patch(bytes, VersionName);
                if (result == ElfVerneed.PatchResult.Patched)
                {
                    // Write a new file and move it over the old one: never write through a hard link.
                    var temp = path + ".glibcxx-tmp";
                    File.WriteAllBytes(temp, bytes);
                    File.Delete(path);
                    File.Move(temp, path);
                    Log.LogMessage(MessageImportance.Normal, $"Marked {VersionName} weak in {path} (system libstdc++ lacks it).");
                }
                else
                {
                    Log.LogMessage(MessageImportance.Low, $"{path}: {result}.");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                Log.LogWarning($"Could not make {path} loadable on this system's libstdc++ (it lacks {VersionName}): {ex.Message}. " +
                               "TorchSharp will fail to load; install libstdc++ from GCC 13 or newer.");
            }
        }

        return !Log.HasLoggedErrors;
    }
}
#endif

/// <summary>Reads and edits the version requirements (.gnu.version_r) of an ELF64 little-endian file.</summary>
#if MLNET_CONTRASTIVE_RUNTIME
internal static class ElfVerneed
#else
public static class ElfVerneed
#endif
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;

    /// <summary>What <see cref="Patch"/> did.</summary>
    public enum PatchResult
    {
        /// <summary>The flag was set; the bytes changed.</summary>
        Patched,
        /// <summary>The flag was already set.</summary>
        AlreadyWeak,
        /// <summary>The library does not require the version.</summary>
        NotRequired,
    }

    /// <summary>Sets VER_FLG_WEAK on the version requirement named <paramref name="versionName"/> of an ELF64 little-endian file.</summary>
    public static PatchResult Patch(byte[] elf, string versionName)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            throw new InvalidDataException("not an ELF file");
        }

        if (elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("not a 64-bit little-endian ELF file");
        }

        var shoff = checked((int)BitConverter.ToUInt64(elf, 0x28));
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (var s = 0; s < shnum; s++)
        {
            var sh = shoff + s * shentsize;
            if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed)
            {
                continue;
            }

            var sectionOffset = checked((int)BitConverter.ToUInt64(elf, sh + 0x18));
            var link = (int)BitConverter.ToUInt32(elf, sh + 0x28);
            var entries = (int)BitConverter.ToUInt32(elf, sh + 0x2C);
            var strtab = checked((int)BitConverter.ToUInt64(elf, shoff + link * shentsize + 0x18));

            var need = sectionOffset;
            for (var n = 0; n < entries; n++)
            {
                int count = BitConverter.ToUInt16(elf, need + 2);
                var aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (var a = 0; a < count; a++)
                {
                    var name = ReadString(elf, strtab + (int)BitConverter.ToUInt32(elf, aux + 8));
                    if (name == versionName)
                    {
                        var flags = BitConverter.ToUInt16(elf, aux + 4);
                        if ((flags & VerFlagWeak) != 0)
                        {
                            return PatchResult.AlreadyWeak;
                        }

                        var patched = (ushort)(flags | VerFlagWeak);
                        elf[aux + 4] = (byte)(patched & 0xff);
                        elf[aux + 5] = (byte)(patched >> 8);
                        return PatchResult.Patched;
                    }

                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }

                need += (int)BitConverter.ToUInt32(elf, need + 12);
            }
        }

        return PatchResult.NotRequired;
    }

    private static string ReadString(byte[] bytes, int offset)
    {
        var end = Array.IndexOf(bytes, (byte)0, offset);
        return Encoding.ASCII.GetString(bytes, offset, end - offset);
    }

    /// <summary>Whether the libstdc++.so.6 that the dynamic loader would pick defines the version.</summary>
    public static bool SystemLibStdCxxHas(string versionName)
    {
        var needle = Encoding.ASCII.GetBytes(versionName + "\0");
        foreach (var path in LibStdCxxCandidates())
        {
            if (File.Exists(path))
            {
                return IndexOf(File.ReadAllBytes(path), needle) >= 0;
            }
        }

        return false;
    }

    private static System.Collections.Generic.IEnumerable<string> LibStdCxxCandidates()
    {
        string fromCache = null;
        try
        {
            var info = new ProcessStartInfo("/sbin/ldconfig", "-p") { RedirectStandardOutput = true, UseShellExecute = false };
            using var process = Process.Start(info);
            if (process is not null)
            {
                var output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                foreach (var line in output.Split('\n'))
                {
                    if (line.Contains("libstdc++.so.6 ") && line.Contains("x86-64"))
                    {
                        fromCache = line.Substring(line.IndexOf("=>", StringComparison.Ordinal) + 2).Trim();
                        break;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            // No ldconfig: fall back to the usual places.
        }

        if (fromCache is not null)
        {
            yield return fromCache;
        }

        yield return "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
        yield return "/usr/lib64/libstdc++.so.6";
        yield return "/usr/lib/libstdc++.so.6";
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i <= haystack.Length - needle.Length; i++)
        {
            var j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j])
            {
                j++;
            }

            if (j == needle.Length)
            {
                return i;
            }
        }

        return -1;
    }
}
