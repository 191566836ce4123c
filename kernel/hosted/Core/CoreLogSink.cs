using Micro.Core;
using Micro.Kernel.Domains;

namespace Micro.Kernel.Core;

/// <summary>Formats the portable core's log records (a static message and two numbers) into the kernel log.</summary>
public sealed class CoreLogSink(KernelLog log) : Micro.Core.CoreLog
{
    public override void Write(LogLevel level, string message, int domid, long a, long b)
        => log.Write($"d{domid}: {level.ToString().ToLowerInvariant()}: {message} (a={a:x}, b={b})");
}
