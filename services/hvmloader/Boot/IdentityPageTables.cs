using System.Buffers.Binary;

namespace Micro.HvmLoader.Boot;

/// <summary>Page tables mapping the first 4 GiB 1:1 with 2 MiB pages: PML4, one PDPT, four page directories.</summary>
public static class IdentityPageTables
{
    private const ulong Present = 1, Writable = 2, Large = 0x80;

    public static void Write(GuestImage image)
    {
        var t = image.Allocate(HvmLayout.PageTables, HvmLayout.PageTablesSize, "boot page tables");
        ulong pdpt = HvmLayout.PageTables + HvmLayout.PageSize;
        BinaryPrimitives.WriteUInt64LittleEndian(t, pdpt | Present | Writable);
        for (int g = 0; g < 4; g++)
        {
            ulong pd = pdpt + (ulong)(g + 1) * HvmLayout.PageSize;
            BinaryPrimitives.WriteUInt64LittleEndian(t[(4096 + g * 8)..], pd | Present | Writable);
            var dir = t.Slice(8192 + g * 4096, 4096);
            for (int i = 0; i < 512; i++)
                BinaryPrimitives.WriteUInt64LittleEndian(dir[(i * 8)..], (((ulong)g << 30) + ((ulong)i << 21)) | Present | Writable | Large);
        }
    }
}
