using Micro.Protocol.Os;

namespace Micro.Protocol.Tests;

/// <summary>A peer must not be able to shrink memory under our mapping, so only sealed memfds are mapped.</summary>
public class SharedMemorySealTests
{
    [Fact]
    public void CreatedMemoryCannotBeShrunkOrGrown()
    {
        using var shm = SharedMemory.Create("sealed", 8192);
        Assert.NotEqual(0, LibC.Ftruncate(shm.Fd, 4096));
        Assert.NotEqual(0, LibC.Ftruncate(shm.Fd, 16384));
    }

    [Fact]
    public void AnUnsealedMemfdIsRefused()
    {
        int fd = LibC.MemfdCreate("unsealed", LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        try
        {
            Assert.Equal(0, LibC.Ftruncate(fd, 4096));
            var e = Assert.Throws<IOException>(() => SharedMemory.Map(fd, 4096));
            Assert.Equal($"memfd (fd {fd}) is not sealed against shrinking; refusing to map it", e.Message);
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    [Fact]
    public void SomethingThatIsNotAMemfdIsRefused()
    {
        using var evt = EventFd.Create();
        Assert.StartsWith($"fd {evt.Fd} is not a memfd", Assert.Throws<IOException>(() => SharedMemory.Map(evt.Fd, 4096)).Message);
    }
}
