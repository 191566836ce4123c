using Micro.Protocol.Os;

namespace Micro.Protocol.Tests;

public class SharedMemoryTests
{
    [Fact]
    public unsafe void TwoMappingsOfOneMemfdSeeTheSameBytes()
    {
        using var a = SharedMemory.Create("test", 4096);
        using var b = SharedMemory.Map(LibC.Dup(a.Fd), 4096);
        a.Pointer[100] = 0x5a;
        Assert.Equal(0x5a, b.Pointer[100]);
    }

    [Fact]
    public void MappingPastTheEndOfTheMemfdIsRefused()
    {
        using var a = SharedMemory.Create("test", 4096);
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.Map(LibC.Dup(a.Fd), 8192));
    }

}
