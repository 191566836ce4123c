using Micro.BareMetal.Boot;
using Micro.BareMetal.Runtime;

namespace Micro.BareMetal.Platform;

/// <summary>
/// Physical 4 KiB frames below 4 GiB (the identity-mapped range), one bit each: set means free.
/// Frames come from the loader's usable regions minus the first MiB, the kernel image and the
/// loader's info. Frees are checked: an address that is not an allocated frame is refused.
/// </summary>
internal sealed unsafe class PageAllocator
{
    public const ulong PageSize = 4096;
    private const ulong Limit = 4UL << 30;

    private readonly ulong[] _bitmap;
    private readonly ulong _frames;
    private ulong _hint;

    public PageAllocator(BootInfo info, ulong imageStart, ulong imageEnd)
    {
        ulong top = 0;
        for (int i = 0; i < info.RegionCount; i++)
        {
            MemoryRegion r = info.Regions[i];
            if (r.Type == BootInfo.Usable && r.Start + r.Length > top)
                top = r.Start + r.Length;
        }
        _frames = (top < Limit ? top : Limit) / PageSize;
        _bitmap = new ulong[(_frames + 63) / 64];
        for (int i = 0; i < info.RegionCount; i++)
        {
            MemoryRegion r = info.Regions[i];
            if (r.Type != BootInfo.Usable)
                continue;
            ulong first = (r.Start + PageSize - 1) / PageSize;
            ulong end = (r.Start + r.Length) / PageSize;
            for (ulong f = first; f < end && f < _frames; f++)
            {
                ulong a = f * PageSize;
                bool reserved = a < (1UL << 20)
                    || Overlaps(a, imageStart, imageEnd)
                    || Overlaps(a, info.InfoStart, info.InfoEnd);
                if (!reserved)
                    SetFree(f, true);
            }
        }
        // Usable regions may overlap reserved ones in a loader's map: reserved wins.
        for (int i = 0; i < info.RegionCount; i++)
        {
            MemoryRegion r = info.Regions[i];
            if (r.Type == BootInfo.Usable)
                continue;
            for (ulong f = r.Start / PageSize; f < (r.Start + r.Length + PageSize - 1) / PageSize && f < _frames; f++)
            {
                if (IsFree(f))
                    SetFree(f, false);
            }
        }
    }

    public ulong FreeFrames { get; private set; }

    public ulong TotalFrames => _frames;

    /// <summary>A zeroed frame's physical (= virtual) address, or 0 when memory is exhausted.</summary>
    public ulong Allocate()
    {
        for (ulong n = 0; n < _frames; n++)
        {
            ulong f = (_hint + n) % _frames;
            if ((_bitmap[f / 64] & (1UL << (int)(f % 64))) != 0)
            {
                SetFree(f, false);
                _hint = f + 1;
                ulong address = f * PageSize;
                Memory.Zero((void*)address, PageSize);
                return address;
            }
        }
        return 0;
    }

    /// <summary><paramref name="count"/> physically contiguous zeroed frames (the first one's address), or 0.</summary>
    public ulong AllocateContiguous(ulong count)
    {
        ulong run = 0;
        for (ulong f = 0; f < _frames; f++)
        {
            run = IsFree(f) ? run + 1 : 0;
            if (run == count)
            {
                ulong first = f + 1 - count;
                for (ulong g = first; g <= f; g++)
                    SetFree(g, false);
                Memory.Zero((void*)(first * PageSize), count * PageSize);
                return first * PageSize;
            }
        }
        return 0;
    }

    /// <summary>Returns a frame; false (and nothing changes) if it is misaligned, out of range or already free.</summary>
    public bool Free(ulong address)
    {
        if ((address & (PageSize - 1)) != 0 || address / PageSize >= _frames || address < (1UL << 20))
            return false;
        ulong f = address / PageSize;
        if (IsFree(f))
            return false;
        SetFree(f, true);
        return true;
    }

    private static bool Overlaps(ulong frame, ulong start, ulong end) => frame < end && frame + PageSize > start;

    private bool IsFree(ulong f) => (_bitmap[f / 64] & (1UL << (int)(f % 64))) != 0;

    private void SetFree(ulong f, bool free)
    {
        ulong bit = 1UL << (int)(f % 64);
        if (free)
        {
            _bitmap[f / 64] |= bit;
            FreeFrames++;
        }
        else
        {
            _bitmap[f / 64] &= ~bit;
            FreeFrames--;
        }
    }
}
