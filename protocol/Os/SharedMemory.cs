namespace Micro.Protocol.Os;

/// <summary>
/// A memfd mapped shared into this process. The fd is the capability: it travels to other
/// processes over SCM_RIGHTS and they map the same pages. The creator seals its size, so no
/// holder can shrink it under another's mapping (which would turn that peer's accesses into SIGBUS);
/// <see cref="Map"/> refuses an fd without that seal.
/// </summary>
public sealed unsafe class SharedMemory : IDisposable
{
    public int Fd { get; private set; }
    public byte* Pointer { get; private set; }
    public long Length { get; }

    private SharedMemory(int fd, byte* pointer, long length)
    {
        Fd = fd;
        Pointer = pointer;
        Length = length;
    }

    /// <summary>Creates a zero-filled memfd of <paramref name="length"/> bytes and maps it.</summary>
    public static SharedMemory Create(string name, long length)
    {
        if (length <= 0)
            throw new ArgumentOutOfRangeException(nameof(length), "shared memory length must be positive");
        int fd = LibC.MemfdCreate(name, LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        if (fd < 0)
            throw new IOException($"memfd_create({name}): {LibC.Describe(LibC.Errno)}");
        if (LibC.Ftruncate(fd, length) != 0)
        {
            int err = LibC.Errno;
            LibC.Close(fd);
            throw new IOException($"ftruncate({name}, {length}): {LibC.Describe(err)}");
        }
        if (LibC.Fcntl(fd, LibC.F_ADD_SEALS, LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW | LibC.F_SEAL_SEAL) != 0)
        {
            int err = LibC.Errno;
            LibC.Close(fd);
            throw new IOException($"sealing memfd {name}: {LibC.Describe(err)}");
        }
        try
        {
            return Map(fd, length);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
    }

    /// <summary>Maps an fd received from a peer. Takes ownership of <paramref name="fd"/>.</summary>
    /// <remarks>
    /// The fd must be a memfd sealed against shrinking, and the mapping length is checked against its
    /// real size, so a peer can neither make us map past its end nor cut the pages from under us later.
    /// On failure the fd is still the caller's to close.
    /// </remarks>
    public static SharedMemory Map(int fd, long length)
    {
        int seals = LibC.Fcntl(fd, LibC.F_GET_SEALS, 0);
        if (seals < 0)
            throw new IOException($"fd {fd} is not a memfd (F_GET_SEALS: {LibC.Describe(LibC.Errno)})");
        if ((seals & LibC.F_SEAL_SHRINK) == 0)
            throw new IOException($"memfd (fd {fd}) is not sealed against shrinking; refusing to map it");
        long size = LibC.Lseek(fd, 0, 2 /* SEEK_END */);
        if (size < 0)
            throw new IOException($"lseek(fd {fd}): {LibC.Describe(LibC.Errno)}");
        if (length <= 0 || length > size)
            throw new ArgumentOutOfRangeException(nameof(length), $"mapping {length} bytes of a {size}-byte memfd");
        nint p = LibC.Mmap(0, (nuint)length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        if (p == LibC.MAP_FAILED)
            throw new IOException($"mmap(fd {fd}, {length}): {LibC.Describe(LibC.Errno)}");
        return new SharedMemory(fd, (byte*)p, length);
    }

    /// <summary>A second, independent mapping of the same memory through a duplicate fd (the caller owns it).</summary>
    public SharedMemory Duplicate()
    {
        int fd = LibC.Fcntl(Fd, 1030 /* F_DUPFD_CLOEXEC */, 0);
        if (fd < 0)
            throw new IOException($"dup(memfd {Fd}): {LibC.Describe(LibC.Errno)}");
        try
        {
            return Map(fd, Length);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
    }

    public Span<byte> Span => new(Pointer, checked((int)Length));

    public void Dispose()
    {
        if (Pointer != null)
        {
            LibC.Munmap((nint)Pointer, (nuint)Length);
            Pointer = null;
        }
        if (Fd >= 0)
        {
            LibC.Close(Fd);
            Fd = -1;
        }
    }
}
