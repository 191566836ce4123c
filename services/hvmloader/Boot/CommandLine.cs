using System.Text;

namespace Micro.HvmLoader.Boot;

/// <summary>Writes the kernel command line, NUL-terminated, where every boot protocol here points at it.</summary>
public static class CommandLine
{
    public static ulong Write(GuestImage image, string commandLine, int maxWithNul = HvmLayout.CommandLineMax)
    {
        if (commandLine.Any(c => c is '\0' or > '\x7e'))
            throw new InvalidImageException("command line: only printable ASCII without NUL is accepted");
        byte[] bytes = [.. Encoding.ASCII.GetBytes(commandLine), 0];
        if (bytes.Length > maxWithNul)
            throw new InvalidImageException($"command line: {bytes.Length} bytes with the NUL exceed the kernel's limit of {maxWithNul}");
        image.Write(HvmLayout.CommandLine, bytes, "command line");
        return HvmLayout.CommandLine;
    }
}
