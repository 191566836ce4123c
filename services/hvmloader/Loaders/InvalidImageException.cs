namespace Micro.HvmLoader;

/// <summary>A kernel, BIOS or initrd that cannot be loaded; the message says which field or range and why.</summary>
public sealed class InvalidImageException(string message) : Exception(message);
