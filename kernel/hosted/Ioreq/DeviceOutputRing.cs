using Micro.Protocol.Os;
using Micro.Protocol.Rings;

namespace Micro.Kernel.Ioreq;

/// <summary>
/// The bytes a device model sends to the guest's console (UART transmit, virtio-console): a plain
/// <see cref="ByteRing"/> in a memfd the core owns, so it outlives the model. Layout: consumer index
/// (u32) at 0, producer index (u32) at 4, <see cref="DataSize"/> data bytes from <see cref="DataOffset"/>.
/// The device model produces; the console service consumes.
/// </summary>
public static unsafe class DeviceOutputRing
{
    public const int DataOffset = 4096;
    public const uint DataSize = 64 * 1024;
    public const long Size = DataOffset + DataSize;

    public static SharedMemory Create(string name) => SharedMemory.Create(name, Size);

    public static ByteRing View(SharedMemory memory)
    {
        if (memory.Length < Size)
            throw new ArgumentException($"an output ring needs {Size} bytes, the memfd has {memory.Length}", nameof(memory));
        return new ByteRing(memory.Pointer + DataOffset, DataSize, (uint*)memory.Pointer, (uint*)(memory.Pointer + 4));
    }
}
