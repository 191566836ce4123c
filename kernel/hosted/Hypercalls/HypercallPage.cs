using Micro.Kernel.Memory;

namespace Micro.Kernel.Hypercalls;

/// <summary>
/// The hosted substrate's hypercall page: 128 stubs of 32 bytes, stub n = <c>mov eax, n; out Port, eax; ret</c>.
/// On this host a <c>vmcall</c> never reaches user space, so the stub exits with port I/O to a
/// reserved port; the arguments stay in rdi, rsi, rdx, r10, r8 and the result comes back in rax,
/// exactly Xen's 64-bit hypercall ABI. This page is the only substrate-specific thing a guest sees.
/// </summary>
public static class HypercallPage
{
    public const ushort Port = 0x9A;
    public const int StubSize = 32;
    public const int StubCount = (int)(GuestLayout.PageSize / StubSize);

    public static void Fill(Span<byte> page)
    {
        page.Fill(0xCC); // int3 between stubs
        for (int n = 0; n < StubCount; n++)
        {
            var stub = page.Slice(n * StubSize, StubSize);
            stub[0] = 0xB8; // mov eax, imm32
            BitConverter.TryWriteBytes(stub[1..5], n);
            stub[5] = 0xE7; // out imm8, eax
            stub[6] = (byte)Port;
            stub[7] = 0xC3; // ret
        }
    }
}
