using Micro.Core.Hypercalls;

namespace Micro.Core.Tests;

/// <summary>Argument structs have Xen's x86_64 sizes (xen/include/public/*.h), so guests and core agree.</summary>
public unsafe class AbiLayoutTests
{
    [Fact]
    public void Structs_have_xens_sizes()
    {
        Assert.Equal(8, sizeof(EvtchnAllocUnbound));
        Assert.Equal(12, sizeof(EvtchnBindInterdomain));
        Assert.Equal(12, sizeof(EvtchnBindVirq));
        Assert.Equal(8, sizeof(EvtchnBindIpi));
        Assert.Equal(4, sizeof(EvtchnPort));
        Assert.Equal(24, sizeof(EvtchnStatusArgs));
        Assert.Equal(8, sizeof(EvtchnBindVcpu));
        Assert.Equal(32, sizeof(GnttabMapGrantRef));
        Assert.Equal(24, sizeof(GnttabUnmapGrantRef));
        Assert.Equal(24, sizeof(GnttabSetupTable));
        Assert.Equal(16, sizeof(GnttabQuerySize));
        Assert.Equal(8, sizeof(GnttabGetVersion));
        Assert.Equal(4, sizeof(SchedShutdown));
        Assert.Equal(24, sizeof(SchedPoll));
        Assert.Equal(8, sizeof(SchedRemoteShutdown));
        Assert.Equal(16, sizeof(XenHvmParam));
        Assert.Equal(8, sizeof(XenHvmEvtchnUpcallVector));
        Assert.Equal(24, sizeof(XenAddToPhysmap));
        Assert.Equal(16, sizeof(VcpuRegisterVcpuInfo));
        Assert.Equal(8, sizeof(XenFeatureInfo));
    }

    [Fact]
    public void Status_codes_offsets_are_xens()
    {
        GnttabMapGrantRef map = default;
        byte* b = (byte*)&map;
        Assert.Equal(12, (byte*)&map.@ref - b);
        Assert.Equal(16, (byte*)&map.dom - b);
        Assert.Equal(18, (byte*)&map.status - b);
        Assert.Equal(20, (byte*)&map.handle - b);
        GnttabUnmapGrantRef unmap = default;
        Assert.Equal(16, (byte*)&unmap.handle - (byte*)&unmap);
        Assert.Equal(20, (byte*)&unmap.status - (byte*)&unmap);
        GnttabSetupTable setup = default;
        Assert.Equal(8, (byte*)&setup.status - (byte*)&setup);
        Assert.Equal(16, (byte*)&setup.frame_list - (byte*)&setup);
        EvtchnStatusArgs status = default;
        Assert.Equal(16, (byte*)&status.u0 - (byte*)&status);
    }
}
