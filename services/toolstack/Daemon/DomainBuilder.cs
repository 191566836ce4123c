using Micro.Guests.Runtime;
using Micro.Guests.Tests;
using Micro.Protocol.Os;
using Micro.Toolstack.Config;

namespace Micro.Toolstack.Daemon;

/// <summary>
/// Builds a domain's memory, as Xen's toolstack does: resolves the kernel, checks it fits the hosted
/// core's guest layout (image at 1 MiB, xenstore and console pages in the top two pages of RAM) and
/// copies it into the domain's RAM, which the core handed over for the domain under construction.
/// </summary>
public static class DomainBuilder
{
    public const ulong PageSize = 4096;
    public const ulong ImageBase = 0x100000;

    /// <summary>Built-in images are assembled once per daemon, not once per domain.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, GuestImage> Images = new(StringComparer.Ordinal);

    public static ulong StorePfn(ulong ramBytes) => ramBytes / PageSize - 2;
    public static ulong ConsolePfn(ulong ramBytes) => ramBytes / PageSize - 1;

    /// <summary>The kernel a configuration names, or an error saying why it cannot boot here.</summary>
    public static GuestImage? Resolve(DomainConfig config, out string? error)
    {
        error = null;
        string? builtin = config.BuiltinKernel;
        if (config.Kernel is null)
            error = "no 'kernel': the hosted core boots only built-in guests (kernel = \"builtin:NAME\")";
        else if (builtin is null)
            error = $"kernel '{config.Kernel}': the hosted core boots only built-in guests (kernel = \"builtin:NAME\"; names: {string.Join(", ", GuestCatalog.All.Keys)})";
        else if (!GuestCatalog.All.TryGetValue(builtin, out var build))
            error = $"no built-in guest '{builtin}' (names: {string.Join(", ", GuestCatalog.All.Keys)})";
        else
        {
            var image = Images.GetOrAdd(builtin, _ => build());
            ulong ram = (ulong)config.Memory << 20;
            if (image.LoadAddress < ImageBase || image.LoadAddress + (ulong)image.Bytes.Length > StorePfn(ram) * PageSize)
                error = $"the {image.Bytes.Length}-byte image at 0x{image.LoadAddress:x} does not fit {config.Memory} MiB of RAM";
            else if (image.Entry < image.LoadAddress || image.Entry >= image.LoadAddress + (ulong)image.Bytes.Length)
                error = $"the image's entry 0x{image.Entry:x} is outside it";
            else
                return image;
        }
        return null;
    }

    /// <summary>Copies <paramref name="image"/> into the domain's RAM through the memfd the core sent.</summary>
    public static unsafe void Load(int ramFd, ulong ramBytes, GuestImage image)
    {
        using var ram = SharedMemory.Map(ramFd, (long)ramBytes);
        if ((ulong)ram.Length < image.LoadAddress + (ulong)image.Bytes.Length)
            throw new IOException($"the domain's RAM is {ram.Length} bytes, too small for the image");
        image.Bytes.CopyTo(new Span<byte>(ram.Pointer + image.LoadAddress, image.Bytes.Length));
    }
}
