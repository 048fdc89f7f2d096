using Mono.Cecil;

namespace MLNet.Contrastive.Publicizer;

/// <summary>
/// Writes a copy of each given assembly in which every type is public and every member is reachable from a
/// derived class in another assembly: non-virtual members become public; non-public virtual members become
/// protected (so that overrides compile with the access the real assembly expects at run time, through
/// IgnoresAccessChecksToAttribute). Explicit interface implementations stay as they are.
/// Usage: MLNet.Contrastive.Publicizer &lt;output directory&gt; &lt;assembly&gt;...
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("Usage: MLNet.Contrastive.Publicizer <output directory> <assembly>...");
            return 2;
        }

        var outputDirectory = args[0];
        Directory.CreateDirectory(outputDirectory);
        foreach (var input in args.Skip(1))
        {
            var output = Path.Combine(outputDirectory, Path.GetFileName(input));
            var temporary = output + ".tmp";
            using (var resolver = new DefaultAssemblyResolver())
            {
                resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(input))!);
                var parameters = new ReaderParameters { AssemblyResolver = resolver, ReadSymbols = false };
                using var assembly = AssemblyDefinition.ReadAssembly(input, parameters);
                var changed = 0;
                foreach (var module in assembly.Modules)
                {
                    foreach (var type in module.GetTypes())
                    {
                        changed += Publicize(type);
                    }
                }

                assembly.Write(temporary);
                Console.WriteLine($"Publicized {changed} types and members of {Path.GetFileName(input)} -> {output}");
            }

            File.Move(temporary, output, overwrite: true);
        }

        return 0;
    }

    private static int Publicize(TypeDefinition type)
    {
        var changed = 0;
        if (type.IsNested ? !type.IsNestedPublic : !type.IsPublic)
        {
            type.Attributes &= ~TypeAttributes.VisibilityMask;
            type.Attributes |= type.IsNested ? TypeAttributes.NestedPublic : TypeAttributes.Public;
            changed++;
        }

        foreach (var method in type.Methods)
        {
            if (method.IsPublic || (method.IsPrivate && method.HasOverrides))
            {
                continue; // public already, or an explicit interface implementation
            }

            method.Attributes &= ~MethodAttributes.MemberAccessMask;
            method.Attributes |= method.IsVirtual ? MethodAttributes.Family : MethodAttributes.Public;
            changed++;
        }

        foreach (var field in type.Fields)
        {
            if (!field.IsPublic)
            {
                field.Attributes &= ~FieldAttributes.FieldAccessMask;
                field.Attributes |= FieldAttributes.Public;
                changed++;
            }
        }

        return changed;
    }
}
