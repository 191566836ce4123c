namespace Micro.Core.Memory;

/// <summary>Memory of a domain that has none the core may touch (a hosted service process): every access faults.</summary>
public sealed unsafe class NoGuestMemory : GuestMemory
{
    protected override byte* TranslateRange(ulong address, ulong length) => null;
}
