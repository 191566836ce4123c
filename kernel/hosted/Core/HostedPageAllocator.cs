using Micro.Protocol.Os;

namespace Micro.Kernel.Core;

/// <summary>
/// Pages the portable core owns for domains (shared_info, grant frames). Each page is its own sealed
/// memfd, so the one page a service needs (its own shared_info) can be handed to it and nothing else.
/// </summary>
public sealed unsafe class HostedPageAllocator : Micro.Core.Memory.PageAllocator, IDisposable
{
    private readonly Dictionary<nint, SharedMemory> _pages = [];

    public override byte* AllocatePage(int domid)
    {
        var page = SharedMemory.Create($"micro-d{domid}-core-page", PageSize);
        lock (_pages)
            _pages[(nint)page.Pointer] = page;
        return page.Pointer;
    }

    public override void FreePage(byte* page)
    {
        SharedMemory? shm;
        lock (_pages)
        {
            if (!_pages.Remove((nint)page, out shm))
                return;
        }
        shm.Dispose();
    }

    /// <summary>The memfd of a page this allocator handed out (the core keeps ownership), or -1.</summary>
    public int FdOf(byte* page)
    {
        lock (_pages)
            return _pages.TryGetValue((nint)page, out var shm) ? shm.Fd : -1;
    }

    public void Dispose()
    {
        lock (_pages)
        {
            foreach (var p in _pages.Values)
                p.Dispose();
            _pages.Clear();
        }
    }
}
