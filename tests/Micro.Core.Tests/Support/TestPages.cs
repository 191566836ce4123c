using System.Runtime.InteropServices;
using Micro.Core.Memory;

namespace Micro.Core.Tests.Support;

/// <summary>Page-aligned native pages; counts what is live so tests can see leaks.</summary>
public sealed unsafe class TestPages : PageAllocator
{
    private readonly HashSet<nint> live = new();

    /// <summary>When set, allocation fails after this many more pages.</summary>
    public int? FailAfter { get; set; }

    public int Live => live.Count;

    public override byte* AllocatePage(int domid)
    {
        if (FailAfter is int left)
        {
            if (left <= 0)
                return null;
            FailAfter = left - 1;
        }
        byte* page = (byte*)NativeMemory.AlignedAlloc(PageSize, PageSize);
        NativeMemory.Clear(page, PageSize);
        live.Add((nint)page);
        return page;
    }

    public override void FreePage(byte* page)
    {
        Assert.True(live.Remove((nint)page), "freed a page that is not live");
        NativeMemory.AlignedFree(page);
    }
}
