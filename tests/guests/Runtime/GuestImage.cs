namespace Micro.Guests.Runtime;

/// <summary>
/// A built test guest: a flat image to copy to <see cref="LoadAddress"/> and its 64-bit entry point.
/// The boot contract, the same on every substrate: long mode, the first GiB identity-mapped,
/// interrupts off, rip = <see cref="Entry"/>. The guest sets up its own stack.
/// </summary>
public sealed record GuestImage(string Name, byte[] Bytes, ulong LoadAddress, ulong Entry);
