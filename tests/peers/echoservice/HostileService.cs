using Micro.Protocol.Framing;
using Micro.Protocol.Messages;
using Micro.Protocol.Os;

namespace Micro.EchoService;

/// <summary>
/// micro-echoservice --hostile SOCKET GUESTDOMID: a service that sends the core garbage — bytes that are
/// no frame, a frame with trailing bytes, unknown ports, refs and domids, and requests outside its role —
/// and checks that each gets an error naming the problem, then that the core still serves it. Exits 0 when
/// every answer was right, 1 (naming the first wrong one) otherwise.
/// </summary>
internal static class HostileService
{
    private const int EPERM = 1, ESRCH = 3, EINVAL = 22, ENOSYS = 38;

    public static int Run(string socketPath, ushort guest)
    {
        using var socket = UnixSocket.Connect(socketPath);
        var (hello, fds) = Program.Hello(socket, "hostile");
        using var sharedInfo = SharedMemory.Map(fds[0], 4096); // owned, so closed on exit; not used
        using var kick = EventFd.Adopt(fds[1]);
        var failures = new List<string>();

        Raw(socket, [0xDE, 0xAD, 0xBE, 0xEF, 0x00], "not a frame", failures);
        byte[] trailing = [.. new FrameCodec().Encode(new EvtchnSend(1), 1).Span, 0xC0];
        Raw(socket, trailing, "trailing bytes", failures);
        Expect(socket, new EvtchnSend(5000), EINVAL, failures);
        Expect(socket, new EvtchnSend(uint.MaxValue), EINVAL, failures);
        Expect(socket, new EvtchnUnmask(4096), EINVAL, failures);
        Expect(socket, new EvtchnClose(0), EINVAL, failures);
        Expect(socket, new EvtchnAllocUnbound(guest, 0), EPERM, failures);       // a port in the guest's table
        Expect(socket, new EvtchnBindInterdomain(4000, 1), ESRCH, failures);      // no such domain
        Expect(socket, new EvtchnBindInterdomain(guest, 4095), EINVAL, failures); // no such port
        Expect(socket, new GrantMap(guest, 5000, false), EPERM, failures);        // not a ref its role may map
        Expect(socket, new GrantMap(4000, 0, true), ESRCH, failures);
        Expect(socket, new DomainDestroy(guest), EPERM, failures);               // domctl is the toolstack's
        Expect(socket, new DomainPause(guest), EPERM, failures);
        Expect(socket, new DomainShutdown(guest, DomainDeathReason.Crash), EPERM, failures);
        Expect(socket, new SetHvmParam(guest, 1, 0x1234), EPERM, failures);
        Expect(socket, new HelloReply(1, 1), ENOSYS, failures);                   // not a request at all

        // Still served: a port in its own table for the guest.
        var (m, _) = Program.Call(socket, new EvtchnAllocUnbound(0x7FF0, guest), new int[UnixSocket.MaxFds]);
        if (m is not EvtchnPortReply)
            failures.Add($"the core stopped serving: alloc_unbound answered {m}");

        foreach (string f in failures)
            Console.Error.WriteLine($"hostile: {f}");
        Console.WriteLine($"hostile service d{hello.Domid}: {failures.Count} wrong answers");
        return failures.Count == 0 ? 0 : 1;
    }

    private static void Expect(UnixSocket socket, Message request, int errno, List<string> failures)
    {
        var (reply, _) = Program.Call(socket, request, new int[UnixSocket.MaxFds]);
        if (reply is not ErrorReply e || e.Errno != errno)
            failures.Add($"{request} answered {reply}, expected errno {errno}");
    }

    /// <summary>Sends bytes that are not one well-formed frame; the core must answer with an error (request id 0).</summary>
    private static void Raw(UnixSocket socket, byte[] bytes, string what, List<string> failures)
    {
        socket.Send(bytes);
        byte[] buffer = new byte[4096];
        var r = socket.Receive(buffer, Span<int>.Empty, 10_000);
        if (r.Status != ReceiveStatus.Message)
        {
            failures.Add($"{what}: no answer ({r.Status})");
            return;
        }
        var result = FrameCodec.Decode(buffer.AsMemory(0, r.Length), out var envelope, out _);
        if (!result.IsOk || envelope.Message is not ErrorReply { Errno: EINVAL } e || !e.Reason.Contains("malformed", StringComparison.Ordinal))
            failures.Add($"{what}: answered {(result.IsOk ? envelope.Message : result)}");
    }
}
