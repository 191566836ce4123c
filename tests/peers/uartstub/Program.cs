using Micro.Kernel.Ioreq;
using Micro.Protocol.Framing;
using Micro.Protocol.Messages;
using Micro.Protocol.Os;

namespace Micro.UartStub;

/// <summary>
/// micro-uartstub SOCKET DOMID [DELAY_US]: connects to its control socket, registers ports
/// 0x3f8..0x3ff of DOMID as an ioreq server, and serves the guest's accesses: THR writes are
/// transmitted into the state page, LSR reads say "transmitter empty". DELAY_US slows each transmit
/// (so tests can kill it mid-run). On start it first serves any request its predecessor left behind.
/// </summary>
public static unsafe class Program
{
    private const ushort Thr = 0x3F8, Lsr = 0x3FD;
    private const byte LsrThreEmpty = 0x60;

    public static int Main(string[] args)
    {
        if (args.Length < 2 || !ushort.TryParse(args[1], out ushort domid))
        {
            Console.Error.WriteLine("usage: micro-uartstub SOCKET DOMID [DELAY_US]");
            return 2;
        }
        int delayUs = args.Length > 2 && int.TryParse(args[2], out int d) ? d : 0;
        try
        {
            return Run(args[0], domid, delayUs);
        }
        catch (Exception e) when (e is IOException or PeerProtocolException or InvalidOperationException or ArgumentException)
        {
            Console.Error.WriteLine($"uartstub: {e.Message}");
            return 1;
        }
    }

    private static int Run(string socketPath, ushort domid, int delayUs)
    {
        using var socket = UnixSocket.Connect(socketPath);
        var codec = new FrameCodec();
        socket.Send(codec.Encode(new IoreqServerRegister(domid, IoreqKind.Port, Thr, Thr + 7), 1).Span);

        byte[] buffer = new byte[4096];
        int[] fds = new int[UnixSocket.MaxFds];
        var r = socket.Receive(buffer, fds, 10_000);
        if (r.Status != ReceiveStatus.Message)
            throw new IOException($"no answer to the registration ({r.Status})");
        var result = FrameCodec.Decode(buffer.AsMemory(0, r.Length), out var reply, out _);
        if (!result.IsOk)
            throw new IOException($"bad reply: {result}");
        if (reply.Message is ErrorReply err)
        {
            Console.Error.WriteLine($"uartstub: registration refused: errno {err.Errno}: {err.Reason}");
            return 3;
        }
        if (reply.Message is not OkReply || r.FdCount < 4)
            throw new IOException($"unexpected reply {reply.Type} with {r.FdCount} fds");

        using var page = IoreqPage.Map(fds[0]);
        using var state = SharedMemory.Map(fds[1], 64 * 1024);
        using var request = EventFd.Adopt(fds[2]);
        var responses = new EventFd[r.FdCount - 3];
        for (int i = 0; i < responses.Length; i++)
            responses[i] = EventFd.Adopt(fds[3 + i]);

        Span<int> none = [];
        while (true)
        {
            for (int v = 0; v < responses.Length; v++)
                Serve(page, state, responses[v], v, delayUs);
            request.Wait(200);
            if (socket.Receive(buffer, none, 0).Status == ReceiveStatus.Closed)
                return 0; // the core is gone
        }
    }

    private static void Serve(IoreqPage page, SharedMemory state, EventFd response, int vcpu, int delayUs)
    {
        ref IoreqSlot slot = ref page.Slot(vcpu);
        byte flags = Volatile.Read(ref slot.Flags);
        byte st = IoreqSlot.State(flags);
        if (st != IoreqSlot.STATE_IOREQ_READY && st != IoreqSlot.STATE_IOREQ_INPROCESS)
            return;
        byte dir = IoreqSlot.Dir(flags);
        ulong sequence = Volatile.Read(ref page.Sequence(vcpu));
        Volatile.Write(ref slot.Flags, IoreqSlot.MakeFlags(IoreqSlot.STATE_IOREQ_INPROCESS, dir));
        ulong data = 0;
        if (slot.Addr == Thr && dir == IoreqSlot.IOREQ_WRITE)
            Transmit(state, vcpu, sequence, (byte)slot.Data, delayUs);
        else if (slot.Addr == Lsr && dir == IoreqSlot.IOREQ_READ)
            data = LsrThreEmpty;
        slot.Data = data;
        Volatile.Write(ref slot.Flags, IoreqSlot.MakeFlags(IoreqSlot.STATE_IORESP_READY, dir));
        response.Signal();
    }

    private static void Transmit(SharedMemory state, int vcpu, ulong sequence, byte value, int delayUs)
    {
        ref ulong journal = ref *(ulong*)(state.Pointer + UartState.JournalOffset);
        ulong j = Volatile.Read(ref journal);
        if (UartState.IsLast(j, vcpu, sequence))
            return; // transmitted by the instance that died before completing the request
        uint count = UartState.Count(j);
        if (UartState.TxOffset + count < state.Length)
            state.Pointer[UartState.TxOffset + count] = value;
        if (delayUs > 0)
            Thread.Sleep(TimeSpan.FromMicroseconds(delayUs));
        Volatile.Write(ref journal, UartState.Journal(vcpu, sequence, count + 1));
    }
}
