namespace Micro.Devices.Host;

/// <summary>One port access of a guest vCPU, as the core forwarded it: the port, its size (1, 2 or 4 bytes), direction and written value.</summary>
public readonly record struct IoAccess(ushort Port, int Size, bool IsWrite, ulong Value)
{
    public static IoAccess Read(ushort port, int size) => new(port, size, false, 0);

    public static IoAccess Write(ushort port, int size, ulong value) => new(port, size, true, value);

    /// <summary>All-ones of the access's size: what a read of nothing returns.</summary>
    public ulong Ones => Size >= 8 ? ulong.MaxValue : (1UL << (Size * 8)) - 1;
}

/// <summary>An inclusive range of ports a device model claims.</summary>
public readonly record struct PortRange(ushort Start, ushort End)
{
    public bool Contains(ushort port) => port >= Start && port <= End;
}
