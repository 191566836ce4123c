using Micro.Protocol.Os;
using Micro.Protocol.Rings;
using Microsoft.Win32.SafeHandles;

namespace Micro.RingPeer;

/// <summary>A record ring in a memfd another process created, opened through <c>/proc/PID/fd/N</c>.</summary>
public sealed unsafe class SharedRing : IDisposable
{
    public SharedMemory Memory { get; }
    public RecordRing Ring { get; }

    public uint* ProducerIndex => (uint*)(Memory.Pointer + RecordRing.ProdOffset);
    public uint* ConsumerIndex => (uint*)(Memory.Pointer + RecordRing.ConsOffset);

    private SharedRing(SharedMemory memory, RecordRing ring)
    {
        Memory = memory;
        Ring = ring;
    }

    public static SharedRing Open(string path, long length)
    {
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        int fd = (int)handle.DangerousGetHandle();
        handle.SetHandleAsInvalid(); // SharedMemory owns the fd from here
        var memory = SharedMemory.Map(fd, length);
        var ring = RecordRing.Attach(memory.Pointer, memory.Length, out var error);
        if (ring is null)
        {
            memory.Dispose();
            throw new InvalidDataException($"{path}: {error.Describe()}");
        }
        return new SharedRing(memory, ring);
    }

    /// <summary>Wraps a ring this process created (the other side opens it by path).</summary>
    public static SharedRing Create(string name, uint dataSize, uint recordLimit)
    {
        var memory = SharedMemory.Create(name, RecordRing.RegionSize(dataSize));
        var ring = RecordRing.Format(memory.Pointer, memory.Length, dataSize, recordLimit);
        return new SharedRing(memory, ring);
    }

    /// <summary>The path another process opens to map this ring.</summary>
    public string PathForPeer => $"/proc/{Environment.ProcessId}/fd/{Memory.Fd}";

    public void Dispose() => Memory.Dispose();
}
