using System.Buffers.Binary;

namespace Micro.HvmLoader.Boot;

/// <summary>
/// The GDT hvmloader leaves for a kernel's entry: null, null, flat code at 0x10 (Linux's __BOOT_CS;
/// 64-bit or 32-bit), flat data at 0x18 (__BOOT_DS). Kernels load their own GDT soon after.
/// </summary>
public static class BootGdt
{
    public const ushort CodeSelector = 0x10, DataSelector = 0x18, Limit = 4 * 8 - 1;
    private const ulong Code64 = 0x00AF9B000000FFFF, Code32 = 0x00CF9B000000FFFF, Data = 0x00CF93000000FFFF;

    public static VcpuEntry Protected32(GuestImage image, ulong entry, uint eax, uint ebx)
    {
        Write(image, Code32);
        return new(EntryMode.Protected32, entry, Rax: eax, Rbx: ebx, GdtBase: HvmLayout.Gdt, GdtLimit: Limit, CodeSelector: CodeSelector, DataSelector: DataSelector);
    }

    public static VcpuEntry Long64(GuestImage image, ulong entry, ulong rsi)
    {
        Write(image, Code64);
        IdentityPageTables.Write(image);
        return new(EntryMode.Long64, entry, Rsi: rsi, Cr3: HvmLayout.PageTables, GdtBase: HvmLayout.Gdt, GdtLimit: Limit, CodeSelector: CodeSelector, DataSelector: DataSelector);
    }

    private static void Write(GuestImage image, ulong code)
    {
        var gdt = image.Allocate(HvmLayout.Gdt, Limit + 1, "boot GDT");
        BinaryPrimitives.WriteUInt64LittleEndian(gdt[CodeSelector..], code);
        BinaryPrimitives.WriteUInt64LittleEndian(gdt[DataSelector..], Data);
    }
}
