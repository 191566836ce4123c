using Micro.Kernel.Domains;

namespace Micro.Kernel.Hypercalls;

/// <summary>One hypercall as the guest issued it: the number (eax) and Xen's five 64-bit arguments.</summary>
public readonly record struct HypercallArgs(ulong Op, ulong A1, ulong A2, ulong A3, ulong A4, ulong A5);

/// <summary>Serves the hypercalls of guest domains; returns the value for rax (negative Xen errno on failure).</summary>
public abstract class HypercallHandler
{
    public abstract long Handle(Vcpu vcpu, in HypercallArgs args);
}
