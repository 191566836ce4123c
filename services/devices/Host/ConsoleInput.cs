using Micro.Kernel.Ioreq;
using Micro.Protocol.Os;

namespace Micro.Devices.Host;

/// <summary>
/// Bytes typed for the guest: the consumer side of a <see cref="DeviceOutputRing"/>-layout ring the
/// console service fills. Byte number n (counted by the device's committed state) is read from slot
/// n; the consumer index is published only after the device commits, so a step repeated after a
/// crash takes the same bytes again and none is lost or doubled. The producer's index is untrusted.
/// </summary>
public sealed unsafe class ConsoleInput(SharedMemory? ring, Action<string> complain)
{
    private bool _complained;

    /// <summary>Takes byte number <paramref name="total"/> if the console has produced it, and counts it.</summary>
    public bool TryTake(ref ulong total, out byte value)
    {
        value = 0;
        if (ring is null)
            return false;
        uint produced = Volatile.Read(ref *(uint*)(ring.Pointer + 4)) - (uint)total;
        if (produced > DeviceOutputRing.DataSize)
        {
            if (!_complained)
                complain($"input ring producer index {Volatile.Read(ref *(uint*)(ring.Pointer + 4))} is inconsistent with {total} bytes consumed");
            _complained = true;
            return false;
        }
        if (produced == 0)
            return false;
        value = ring.Pointer[DeviceOutputRing.DataOffset + ((uint)total & (DeviceOutputRing.DataSize - 1))];
        total++;
        return true;
    }

    /// <summary>Frees the first <paramref name="total"/> bytes for the console service.</summary>
    public void Publish(ulong total)
    {
        if (ring is not null)
            Volatile.Write(ref *(uint*)ring.Pointer, (uint)total);
    }
}
