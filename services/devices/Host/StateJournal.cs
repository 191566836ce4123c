using System.Runtime.InteropServices;
using Micro.Protocol.Os;

namespace Micro.Devices.Host;

/// <summary>
/// A device's state in the core-owned state memfd, updated as transactions so that a device model
/// killed at any instruction resumes exactly where the last committed step left it. Two copies of
/// the state live side by side; a step copies the active one to the other, changes that copy, stamps
/// it with the ioreq it answers (vCPU, request sequence, response) and flips <c>selector</c> in one
/// store — the commit point. A restarted model that finds a request already stamped answers it from
/// the stamp instead of doing it twice. Layout from <c>offset</c>: selector (u64, number of commits),
/// then copy 0 and copy 1, each a <see cref="Stamp"/> followed by the state.
/// </summary>
public sealed unsafe class StateJournal<T> where T : unmanaged
{
    [StructLayout(LayoutKind.Sequential)]
    public struct Stamp
    {
        public ulong Sequence;
        public int Vcpu;
        public int Shutdown;
        public ulong Response;
        private readonly ulong _reserved;
    }

    private const int Header = 64;
    private readonly byte* _base;
    private readonly int _stride;

    /// <summary>Bytes a journal of <typeparamref name="T"/> occupies.</summary>
    public static int Footprint => Header + 2 * Stride;

    private static int Stride => (sizeof(Stamp) + sizeof(T) + 63) & ~63;

    public StateJournal(SharedMemory memory, int offset, int limit)
    {
        if (offset < 0 || offset % 64 != 0 || limit > memory.Length || offset + Footprint > limit)
            throw new ArgumentOutOfRangeException(nameof(offset), $"a {typeof(T).Name} journal needs {Footprint} bytes at a 64-byte boundary; [{offset}, {limit}) of {memory.Length} given");
        _base = memory.Pointer + offset;
        _stride = Stride;
    }

    private ref ulong Selector => ref *(ulong*)_base;

    /// <summary>True until the first commit: the device has never been powered on.</summary>
    public bool IsFresh => Volatile.Read(ref Selector) == 0;

    public ulong Commits => Volatile.Read(ref Selector);

    private byte* Copy(ulong selector) => _base + Header + (int)(selector & 1) * _stride;

    private ref Stamp StampOf(byte* copy) => ref *(Stamp*)copy;

    private static ref T StateOf(byte* copy) => ref *(T*)(copy + sizeof(Stamp));

    /// <summary>The committed state.</summary>
    public ref readonly T Current => ref StateOf(Copy(Volatile.Read(ref Selector)));

    /// <summary>The stamp of the last commit.</summary>
    public ref readonly Stamp Last => ref StampOf(Copy(Volatile.Read(ref Selector)));

    /// <summary>True when the last commit answered request <paramref name="sequence"/> of <paramref name="vcpu"/>.</summary>
    public bool Answered(int vcpu, ulong sequence)
    {
        ref readonly Stamp s = ref Last;
        return !IsFresh && s.Vcpu == vcpu && s.Sequence == sequence;
    }

    /// <summary>Starts a step: a scratch copy of the committed state to change and then <see cref="Commit"/>.</summary>
    public ref T Begin()
    {
        ulong selector = Volatile.Read(ref Selector);
        byte* scratch = Copy(selector + 1);
        StateOf(scratch) = StateOf(Copy(selector));
        return ref StateOf(scratch);
    }

    /// <summary>Makes the scratch copy the committed state, stamped with the request it answers (vcpu -1: none).</summary>
    public void Commit(int vcpu = -1, ulong sequence = 0, ulong response = 0, int shutdown = -1)
    {
        ulong selector = Volatile.Read(ref Selector);
        ref Stamp stamp = ref StampOf(Copy(selector + 1));
        stamp.Vcpu = vcpu;
        stamp.Sequence = sequence;
        stamp.Response = response;
        stamp.Shutdown = shutdown;
        Volatile.Write(ref Selector, selector + 1);
    }
}
