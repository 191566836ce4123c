using Micro.Guests.Tests;
using Micro.Kernel.Domains;
using Micro.Testing;

namespace Micro.Kernel.Tests;

public sealed class HostileGuestTests
{
    [KvmFact]
    public void Garbage_from_a_guest_gets_xens_errors_and_log_lines_while_the_core_serves_another_guest()
    {
        using var runner = new GuestRunner();
        var hostile = runner.Create(HostileGuest.Build());
        var hello = runner.Create(HelloGuest.Build());
        hostile.Start();
        hello.Start();
        runner.WaitAll(hostile, hello);

        Assert.True(hostile.Console.Text.Contains("Test result: SUCCESS", StringComparison.Ordinal), runner.Describe(hostile));
        Assert.Equal(ShutdownReason.Poweroff, hostile.Reason);
        Assert.True(hello.Console.Text.Contains("Test result: SUCCESS", StringComparison.Ordinal), runner.Describe(hello));
        string d = $"d{hostile.DomId}";
        Assert.True(runner.Log.Contains($"{d}: warning: unknown hypercall"), string.Join('\n', runner.Log.Lines));
        Assert.True(runner.Log.Contains($"{d}: warning: unknown sched_op"), string.Join('\n', runner.Log.Lines));
        Assert.True(runner.Log.Contains($"{d}: warning: hypercall failed"), string.Join('\n', runner.Log.Lines));
    }
}
