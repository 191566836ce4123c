using Micro.Kernel.Ioreq;
using Microsoft.Win32.SafeHandles;
using Micro.Protocol.Os;

namespace Micro.Devices.Host;

/// <summary>
/// Where a device's console bytes go: the <see cref="DeviceOutputRing"/> the console service drains,
/// and a log file. Byte number n (counted by the device's own committed state, never by us) always
/// lands in ring slot n and at log offset n, so a step repeated after a crash writes the same bytes
/// to the same places: nothing is lost or doubled. The ring's producer index is published only after
/// the device commits (<see cref="Publish"/>).
/// </summary>
public sealed unsafe class ConsoleOutput
{
    private readonly SharedMemory? _ring;
    private readonly SafeFileHandle? _log;
    private readonly Action<string> _complain;
    private bool _complained;
    private bool _logFailed;

    public ConsoleOutput(SharedMemory? ring, SafeFileHandle? log, Action<string> complain)
    {
        if (ring is not null && ring.Length < DeviceOutputRing.Size)
            throw new ArgumentException("the output ring memfd is too small", nameof(ring));
        _ring = ring;
        _log = log;
        _complain = complain;
    }

    private uint* Cons => (uint*)_ring!.Pointer;
    private uint* Prod => (uint*)(_ring!.Pointer + 4);

    /// <summary>Writes byte number <paramref name="total"/> and counts it; false (nothing written) while the ring is full.</summary>
    public bool TryEmit(ref ulong total, byte value)
    {
        if (_ring is not null)
        {
            uint used = (uint)total - Volatile.Read(ref *Cons);
            if (used > DeviceOutputRing.DataSize && !_complained)
            {
                // The consumer's index is not ours to trust; a broken one only stalls this console.
                _complained = true;
                _complain($"output ring consumer index {Volatile.Read(ref *Cons)} is inconsistent with {total} bytes produced");
            }
            if (used >= DeviceOutputRing.DataSize)
                return false;
            _ring.Pointer[DeviceOutputRing.DataOffset + ((uint)total & (DeviceOutputRing.DataSize - 1))] = value;
        }
        if (_log is not null)
            WriteLog(value, (long)total);
        total++;
        return true;
    }

    private void WriteLog(byte value, long offset)
    {
        try
        {
            RandomAccess.Write(_log!, new ReadOnlySpan<byte>(&value, 1), offset);
        }
        catch (IOException e) when (!_logFailed)
        {
            _logFailed = true; // the console ring still gets every byte; the log is best effort after this
            _complain($"console log: {e.Message}");
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Makes the first <paramref name="total"/> bytes visible to the console service.</summary>
    public void Publish(ulong total)
    {
        if (_ring is not null)
            Volatile.Write(ref *Prod, (uint)total);
    }
}
