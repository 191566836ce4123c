using System.Runtime.InteropServices;
using Micro.Protocol.Framing;
using Micro.Protocol.Messages;
using Micro.Protocol.Os;

namespace Micro.Kernel.Daemon;

/// <summary>
/// <c>micro-core service-exec SOCKET NAME PROGRAM ARGS...</c>: for services that do not speak the
/// control protocol yet (xenstored, consoled run standalone), announces the service to its supervisor
/// with Hello on its control socket, then execs the service in place (same pid, which is what the
/// supervisor checks). The control socket is close-on-exec, so the channel ends there and the
/// supervisor sees a service that registered and needs nothing more.
/// </summary>
public static partial class ServiceLauncher
{
    public static int Run(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: micro-core service-exec SOCKET NAME PROGRAM [ARGS...]");
            return 2;
        }
        try
        {
            using (var socket = UnixSocket.Connect(args[0]))
            {
                socket.Send(new FrameCodec().Encode(new Hello(args[1], Environment.ProcessId, 1), 1).Span);
                Span<int> fds = stackalloc int[UnixSocket.MaxFds];
                var r = socket.Receive(new byte[Frame.MaxFrameSize], fds, 10_000);
                foreach (int fd in fds[..r.FdCount])
                    new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true).Dispose();
                if (r.Status != ReceiveStatus.Message)
                    throw new IOException($"no answer to Hello ({r.Status})");
            }
        }
        catch (Exception e) when (e is IOException or PeerProtocolException)
        {
            Console.Error.WriteLine($"service-exec {args[1]}: {e.Message}");
            return 1;
        }
        Exec(args[2], args[2..]);
        Console.Error.WriteLine($"service-exec {args[1]}: cannot exec {args[2]}: errno {Marshal.GetLastPInvokeError()}");
        return 127;
    }

    private static unsafe void Exec(string program, string[] argv)
    {
        var pointers = new nint[argv.Length + 1];
        for (int i = 0; i < argv.Length; i++)
            pointers[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
        fixed (nint* p = pointers)
            ExecVp(program, p);
        foreach (nint s in pointers)
            Marshal.FreeCoTaskMem(s); // only reached when exec failed
    }

    [LibraryImport("libc", EntryPoint = "execvp", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int ExecVp(string file, nint* argv);
}
