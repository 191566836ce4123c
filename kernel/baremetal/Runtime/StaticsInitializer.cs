using System.Runtime;
using System.Runtime.CompilerServices;
using Micro.BareMetal.Platform;

namespace Micro.BareMetal.Runtime;

/// <summary>
/// What the .NET runtime would do at module start: allocate the objects holding each class's
/// reference-typed statics (the GC static region of the ReadyToRun header) and run the class
/// constructors ilc lists as eager. Until this runs, every static field reads as zero.
/// </summary>
internal static unsafe class StaticsInitializer
{
    private const uint Signature = 0x00525452; // "RTR"
    private const int GCStaticRegion = 201;
    private const int EagerCctor = 205;
    private const long Uninitialized = 1;
    private const long HasPreInitializedData = 2;

    [RuntimeImport("*", "runtime_module_header"), MethodImpl(MethodImplOptions.InternalCall)]
    private static extern byte* ModuleHeader();

    public static void Run()
    {
        byte* header = ModuleHeader();
        if (*(uint*)header != Signature)
            Panic.Halt("ReadyToRun header signature mismatch");
        ushort sections = *(ushort*)(header + 12);
        byte entrySize = header[14];
        byte* rows = header + 16;

        for (int i = 0; i < sections; i++)
        {
            byte* row = rows + (i * entrySize);
            if (*(int*)row == GCStaticRegion)
                AllocateGCStatics(*(byte**)(row + 8), *(byte**)(row + 16));
        }
        for (int i = 0; i < sections; i++)
        {
            byte* row = rows + (i * entrySize);
            if (*(int*)row == EagerCctor)
                RunEagerCctors(*(byte**)(row + 8), *(byte**)(row + 16));
        }
    }

    private static byte* ReadRelative32(byte* at) => at + *(int*)at;

    private static void AllocateGCStatics(byte* start, byte* end)
    {
        for (byte* entry = start; entry < end; entry += sizeof(int))
        {
            long* slot = (long*)ReadRelative32(entry);
            long value = *slot;
            if ((value & Uninitialized) == 0)
                continue;
            var mt = (MethodTable*)((byte*)slot + (value & ~3L));
            byte* obj = Heap.Allocate(mt->BaseSize);
            *(MethodTable**)obj = mt;
            if ((value & HasPreInitializedData) != 0)
            {
                byte* data = ReadRelative32((byte*)slot + sizeof(int));
                Memory.Copy(obj + sizeof(void*), data, mt->BaseSize - (2 * (ulong)sizeof(void*)));
            }
            *slot = (long)obj;
        }
    }

    private static void RunEagerCctors(byte* start, byte* end)
    {
        for (byte* entry = start; entry < end; entry += sizeof(int))
        {
            var cctor = (delegate* managed<void>)ReadRelative32(entry);
            cctor();
        }
    }
}
