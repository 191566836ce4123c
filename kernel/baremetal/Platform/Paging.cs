namespace Micro.BareMetal.Platform;

/// <summary>
/// The kernel's own page tables, replacing the boot stub's: the first 4 GiB identity-mapped with
/// 2 MiB pages, except the first 2 MiB, mapped with 4 KiB pages and page 0 left out, so a null
/// dereference faults instead of reading the real-mode vector table.
/// </summary>
internal static unsafe class Paging
{
    public const ulong Present = 1, Writable = 2, Large = 0x80;

    public static ulong Root { get; private set; }

    public static void Init(PageAllocator pages)
    {
        var pml4 = (ulong*)Allocate(pages);
        var pdpt = (ulong*)Allocate(pages);
        pml4[0] = (ulong)pdpt | Present | Writable;
        for (ulong g = 0; g < 4; g++)
        {
            var pd = (ulong*)Allocate(pages);
            pdpt[g] = (ulong)pd | Present | Writable;
            for (ulong m = 0; m < 512; m++)
                pd[m] = ((g << 30) + (m << 21)) | Present | Writable | Large;
            if (g == 0)
            {
                var pt = (ulong*)Allocate(pages);
                for (ulong p = 1; p < 512; p++)
                    pt[p] = (p << 12) | Present | Writable;
                pd[0] = (ulong)pt | Present | Writable;
            }
        }
        Root = (ulong)pml4;
        Cpu.WriteCr3(Root);
    }

    private static ulong Allocate(PageAllocator pages)
    {
        ulong frame = pages.Allocate();
        if (frame == 0)
            Panic.Halt("out of memory for page tables");
        return frame;
    }
}
