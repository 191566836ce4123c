using Micro.Kernel.Ioreq;
using Microsoft.Win32.SafeHandles;
using Micro.Protocol.Os;

namespace Micro.Devices.Host;

/// <summary>
/// What one device model instance works with, all of it granted by the core: the state memfd (device
/// state below <see cref="DeviceModelHeader.Offset"/>), and optionally guest RAM, the console output
/// ring and files (disk images, logs). Tests build one over their own memfds.
/// </summary>
public sealed class DeviceContext : IDisposable
{
    public required SharedMemory State { get; init; }
    public GuestRam? Ram { get; init; }
    public SharedMemory? Output { get; init; }
    /// <summary>Bytes typed for the guest (a <see cref="DeviceOutputRing"/> the console service produces).</summary>
    public SharedMemory? Input { get; init; }
    public IReadOnlyList<SafeFileHandle> Files { get; init; } = [];
    /// <summary>Where the model says what it refused and why (stderr in the process; a list in tests).</summary>
    public Action<string> Log { get; init; } = Console.Error.WriteLine;

    /// <summary>Bytes of <see cref="State"/> the device may use for its journal.</summary>
    public int StateLimit => (int)Math.Min(State.Length, DeviceModelHeader.Offset);

    public void Dispose()
    {
        State.Dispose();
        Ram?.Dispose();
        Output?.Dispose();
        Input?.Dispose();
        foreach (var f in Files)
            f.Dispose();
    }
}
