using Micro.BareMetal.Platform;

namespace Micro.BareMetal.Hypervisor;

/// <summary>The core's page allocator (shared-info and grant frames) over the physical frame allocator.</summary>
internal sealed unsafe class CorePages : Micro.Core.Memory.PageAllocator
{
    private readonly Platform.PageAllocator _frames;

    public CorePages(Platform.PageAllocator frames) => _frames = frames;

    public override byte* AllocatePage(int domid) => (byte*)_frames.Allocate();

    public override void FreePage(byte* page)
    {
        if (!_frames.Free((ulong)page))
            Panic.Halt("core freed a page it does not own");
    }
}
