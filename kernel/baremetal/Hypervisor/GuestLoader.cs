using Micro.BareMetal.Platform;
using Micro.BareMetal.Runtime;
using Micro.BareMetal.Svm;
using Micro.Core;
using Micro.Core.Domains;

namespace Micro.BareMetal.Hypervisor;

/// <summary>
/// Builds a guest from an embedded image: RAM, nested page tables over exactly that RAM, the boot page
/// tables and GDT the test-guest contract promises (long mode, first GiB identity-mapped), the core
/// domain, and an SVM vCPU at the entry point.
/// </summary>
internal static unsafe class GuestLoader
{
    public const ulong RamSize = 4UL << 20;
    private const ulong Pml4 = 0x1000, Pdpt = 0x2000, PageDirectory = 0x3000, Gdt = 0x4000;

    public static BareMetalDomain? Load(Micro.Core.Hypervisor core, Platform.PageAllocator pages, int guest)
    {
        ulong ramHost = pages.AllocateContiguous(RamSize / Platform.PageAllocator.PageSize);
        if (ramHost == 0)
            return null;
        var ram = new GuestRam(ramHost, RamSize);
        var npt = new NestedPaging(pages);
        for (ulong gpa = 0; gpa < RamSize; gpa += Platform.PageAllocator.PageSize)
        {
            if (!npt.Map(gpa, ramHost + gpa, writable: true))
                return null;
        }

        ulong load = EmbeddedGuests.LoadAddress(guest);
        ulong length = EmbeddedGuests.ImageLength(guest);
        if (load < 0x10000 || length > RamSize - load)
        {
            Serial.WriteLine("micro: guest image does not fit its RAM");
            return null;
        }
        Memory.Copy((void*)(ramHost + load), EmbeddedGuests.Image(guest), length);

        var pml4 = (ulong*)(ramHost + Pml4);
        var pdpt = (ulong*)(ramHost + Pdpt);
        var pd = (ulong*)(ramHost + PageDirectory);
        pml4[0] = Pdpt | 3;
        pdpt[0] = PageDirectory | 3;
        for (ulong i = 0; i < 512; i++)
            pd[i] = (i << 21) | 0x83;
        var gdt = (ulong*)(ramHost + Gdt);
        gdt[1] = 0x00AF9A000000FFFF;
        gdt[2] = 0x00CF92000000FFFF;

        var substrate = new BareMetalDomain(ram, npt, guest);
        int rc = core.CreateBootDomain(DomainConfig.Guest(1), ram, substrate, out Domain? domain);
        if (rc < 0 || domain is null)
        {
            Serial.Write("micro: domain creation failed ");
            Serial.WriteDec((long)rc);
            Serial.WriteLine();
            return null;
        }
        substrate.Core = domain;
        substrate.Vcpu = new SvmVcpu(pages, npt.Root, EmbeddedGuests.EntryPoint(guest), Pml4, Gdt);
        return substrate;
    }
}
