using System.Text.RegularExpressions;
using Micro.Testing;

namespace Micro.BareMetal.Tests;

/// <summary>
/// The test guests of tests/guests (and the bare-metal `illegal` guest) under SVM with nested paging in
/// QEMU TCG, with their hypercalls served by the portable core; their consoles appear on the serial
/// port tagged by domid.
/// </summary>
public sealed partial class GuestTests
{
    [QemuFact]
    public void Svm_is_detected_with_nested_paging_and_without_nrip_save()
    {
        var (rc, serial) = BareMetalImage.Boot("guests=hello");
        Assert.Equal(0, rc);
        Assert.Contains("micro: svm on: nested paging", serial, StringComparison.Ordinal);
        Assert.Contains("no nrip-save (instruction lengths computed)", serial, StringComparison.Ordinal);
    }

    [QemuFact]
    public void Hello_guest_prints_through_console_io_and_powers_off()
    {
        var (rc, serial) = BareMetalImage.Boot("guests=hello");
        Assert.Equal(0, rc);
        Assert.Contains("micro: d1 = guest hello", serial, StringComparison.Ordinal);
        Assert.Contains("[d1] Hello from a Micro test guest", serial, StringComparison.Ordinal);
        Assert.Contains("[d1] Test result: SUCCESS", serial, StringComparison.Ordinal);
        Assert.Matches(@"micro: d1 \(hello\) shut down: poweroff after \d+ exits", serial);
        Assert.Contains("micro: guests done", serial, StringComparison.Ordinal);
    }

    [QemuFact]
    public void Triple_fault_crashes_that_guest_alone()
    {
        var (rc, serial) = BareMetalImage.Boot("guests=hello,triple-fault");
        Assert.Equal(0, rc);
        Assert.Contains("[d2] about to triple fault", serial, StringComparison.Ordinal);
        Assert.Matches(@"micro: d2 crashed: triple fault 0x0 \(rip 0x[0-9a-f]+\)", serial);
        Assert.Contains("micro: d2 (triple-fault) shut down: crash", serial, StringComparison.Ordinal);
        Assert.DoesNotContain("[d2] Test result", serial, StringComparison.Ordinal);
        Assert.Contains("[d1] Test result: SUCCESS", serial, StringComparison.Ordinal);
        Assert.Contains("micro: d1 (hello) shut down: poweroff", serial, StringComparison.Ordinal);
    }

    [QemuFact]
    public void Illegal_guest_gets_enosys_then_is_crashed_for_touching_unmapped_memory_while_the_other_carries_on()
    {
        var (rc, serial) = BareMetalImage.Boot("guests=illegal,hello");
        Assert.Equal(0, rc);
        Assert.Contains("micro: d1 = guest illegal", serial, StringComparison.Ordinal);
        Assert.Contains("micro: core: d1 unknown hypercall (0x3f, 0)", serial, StringComparison.Ordinal);
        Assert.Contains("[d1] unknown hypercall refused; now touching memory I do not have", serial, StringComparison.Ordinal);
        Assert.Matches(@"micro: d1 crashed: touched unmapped guest-physical memory at 0x30000000 \(rip 0x[0-9a-f]+\)", serial);
        Assert.DoesNotContain("[d1] Test result: FAILURE", serial, StringComparison.Ordinal);
        Assert.Contains("micro: d1 (illegal) shut down: crash", serial, StringComparison.Ordinal);
        Assert.Contains("[d2] Test result: SUCCESS", serial, StringComparison.Ordinal);
        Assert.Contains("micro: d2 (hello) shut down: poweroff", serial, StringComparison.Ordinal);
    }

    [QemuFact]
    public void Two_guests_exchange_event_channel_notifications_with_upcalls_masking_and_poll()
    {
        // The pair of tests/guests, unchanged, with the bare-metal echo guest as their service (d3).
        var (rc, serial) = BareMetalImage.Boot("guests=evtchn-a,evtchn-b,evtchn-echo");
        Assert.Equal(0, rc);
        Assert.Contains("[d1] A: service echoed", serial, StringComparison.Ordinal);
        Assert.Contains("[d2] B: upcall from the service", serial, StringComparison.Ordinal);
        Assert.Contains("[d2] B: masked port pending, no upcall", serial, StringComparison.Ordinal);
        Assert.Contains("[d2] B: unmask re-raised the upcall", serial, StringComparison.Ordinal);
        Assert.Contains("[d1] A: B is done", serial, StringComparison.Ordinal);
        Assert.Contains("[d3] echo: answered both peers", serial, StringComparison.Ordinal);
        Assert.Contains("micro: guest results: 3 SUCCESS, 0 FAILURE, 0 without a result", serial, StringComparison.Ordinal);
    }

    [QemuFact]
    public void A_granted_page_is_shared_through_nested_paging_refused_beyond_its_reach_and_gone_after_unmap()
    {
        var (rc, serial) = BareMetalImage.Boot("guests=grant-a,grant-b");
        Assert.Equal(0, rc);
        Assert.Contains("[d2] mapped d1's page, read its greeting, wrote a reply", serial, StringComparison.Ordinal);
        Assert.Contains("[d2] a map at 2^48 was refused", serial, StringComparison.Ordinal);
        Assert.Contains("[d1] d2 wrote into my page", serial, StringComparison.Ordinal);
        Assert.Contains("[d1] d2 unmapped; grant revoked", serial, StringComparison.Ordinal);
        Assert.Contains("[d1] Test result: SUCCESS", serial, StringComparison.Ordinal);
        // After the unmap the frame must be gone from d2's nested page tables.
        Assert.Matches(@"micro: d2 crashed: touched unmapped guest-physical memory at 0x20000000 \(rip 0x[0-9a-f]+\)", serial);
        Assert.DoesNotContain("[d2] Test result", serial, StringComparison.Ordinal);
    }

    [QemuFact]
    public void Hostile_guest_gets_xen_errors_for_garbage_while_the_other_carries_on()
    {
        var (rc, serial) = BareMetalImage.Boot("guests=hostile,hello");
        Assert.Equal(0, rc);
        Assert.Contains("[d1] hostile: every piece of garbage got Xen's error", serial, StringComparison.Ordinal);
        Assert.Contains("[d1] Test result: SUCCESS", serial, StringComparison.Ordinal);
        Assert.Contains("[d2] Test result: SUCCESS", serial, StringComparison.Ordinal);
        Assert.Contains("micro: guest results: 2 SUCCESS, 0 FAILURE, 0 without a result", serial, StringComparison.Ordinal);
    }

    [QemuFact]
    public void Every_default_guest_runs_to_its_end_and_passing_guests_report_success()
    {
        var (rc, serial) = BareMetalImage.Boot();
        Assert.Equal(0, rc);
        Assert.Contains("micro: d1 = guest evtchn-a", serial, StringComparison.Ordinal);
        Assert.Contains("micro: d3 = guest evtchn-echo", serial, StringComparison.Ordinal);
        var guests = GuestLine().Matches(serial).Select(m => (Id: m.Groups[1].Value, Name: m.Groups[2].Value)).ToList();
        Assert.Contains(guests, g => g.Name == "hello");
        foreach (var (id, name) in guests)
        {
            Assert.Matches($@"micro: d{id} \({Regex.Escape(name)}\) shut down: ", serial);
            Assert.DoesNotContain($"[d{id}] Test result: FAILURE", serial, StringComparison.Ordinal);
        }
        Assert.Matches(@"micro: guest results: [1-9]\d* SUCCESS, 0 FAILURE", serial);
        Assert.Contains("micro: all done", serial, StringComparison.Ordinal);
    }

    [QemuFact]
    public void A_guest_reporting_failure_makes_the_overall_status_failure()
    {
        var (rc, serial) = BareMetalImage.Boot("guests=hello,failing");
        Assert.Equal(1, rc); // isa-debug-exit carried the failure
        Assert.Contains("[d2] Test result: FAILURE: deliberate, to check the overall status", serial, StringComparison.Ordinal);
        Assert.Contains("micro: guest results: 1 SUCCESS, 1 FAILURE, 0 without a result", serial, StringComparison.Ordinal);
    }

    [QemuFact]
    public void Guests_that_all_wait_end_the_run_and_one_that_never_ended_makes_the_status_failure()
    {
        var (rc, serial) = BareMetalImage.Boot("guests=hello,blocked");
        Assert.Equal(1, rc);
        Assert.Contains("[d1] Test result: SUCCESS", serial, StringComparison.Ordinal);
        Assert.Contains("[d2] blocking with nothing to wake me", serial, StringComparison.Ordinal);
        Assert.Contains("micro: every remaining guest is blocked with nothing pending", serial, StringComparison.Ordinal);
        Assert.DoesNotContain("[d2] Test result", serial, StringComparison.Ordinal); // never woken without an event
        Assert.Contains("micro: 1 guest(s) never ended", serial, StringComparison.Ordinal);
        Assert.Contains("micro: all done", serial, StringComparison.Ordinal);
    }

    [QemuFact]
    public void Guests_run_from_the_iso_too()
    {
        var (rc, serial) = BareMetalImage.Boot(mode: "iso");
        Assert.Equal(0, rc);
        Assert.Contains("[d", serial, StringComparison.Ordinal);
        Assert.Matches(@"\[d\d+\] Hello from a Micro test guest", serial);
        Assert.Contains("micro: guests done", serial, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"micro: d(\d+) = guest (\S+)")]
    private static partial Regex GuestLine();
}
