using System.Runtime.InteropServices;

namespace Micro.Kernel.Ioreq;

/// <summary>
/// What a device model was granted, written by the core into the last page of the model's state
/// memfd at every registration (the model only reads it). The registration reply carries the fds
/// in this order: ioreq page, state, request eventfd, one response eventfd per vCPU, then guest RAM
/// (if <see cref="FlagGuestMemory"/>), the output ring (if <see cref="FlagOutput"/>), the input ring (if
/// <see cref="FlagInput"/>), one eventfd per
/// doorbell port and one fd per file.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 96)]
public unsafe struct DeviceModelHeader
{
    public const uint MagicValue = 0x4C4D444D; // "MDML"
    public const uint FlagGuestMemory = 1, FlagOutput = 2, FlagInput = 4;
    public const int MaxDoorbells = 8;
    /// <summary>Where the header sits in the state memfd; device state may use everything below.</summary>
    public const int Offset = DeviceModelLink.StatePageSize - 4096;

    public uint Magic;
    public uint Vcpus;
    public uint Flags;
    public uint DoorbellCount;
    public ulong GuestMemorySize;
    public uint FileCount;
    public uint Reserved;
    public fixed ushort DoorbellPorts[MaxDoorbells];

    /// <summary>The fd count the registration reply must carry for this header.</summary>
    public readonly int FdCount => 3 + (int)Vcpus + ((Flags & FlagGuestMemory) != 0 ? 1 : 0) + ((Flags & FlagOutput) != 0 ? 1 : 0) + ((Flags & FlagInput) != 0 ? 1 : 0) + (int)DoorbellCount + (int)FileCount;
}
