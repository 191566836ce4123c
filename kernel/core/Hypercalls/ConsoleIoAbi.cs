namespace Micro.Core.Hypercalls;

/// <summary>CONSOLEIO_* commands of console_io (xen/include/public/xen.h).</summary>
public static class ConsoleIoAbi
{
    public const int CONSOLEIO_write = 0;
    public const int CONSOLEIO_read = 1;

    /// <summary>The most one console_io write may carry (Xen preempts instead; the core does not).</summary>
    public const uint MaxWrite = 64 * 1024;

    /// <summary>Bytes copied per step, so that a write may span separately mapped guest pages.</summary>
    public const uint Chunk = 256;
}
