using Micro.Devices.Host;
using Micro.Kernel.Ioreq;
using Micro.Protocol.Os;
using Micro.Protocol.Rings;
using Microsoft.Win32.SafeHandles;

namespace Micro.Devices.Tests.Support;

/// <summary>
/// One device in this process over real memfds, as the core would grant them: a state memfd, an
/// output ring, optionally guest RAM and files. Accesses carry increasing request sequences like the
/// core's; <see cref="Restart"/> attaches a fresh instance to the same memory, as after a SIGKILL.
/// </summary>
internal sealed unsafe class DeviceBench<TDevice> : IDisposable where TDevice : DeviceModel
{
    private readonly Func<TDevice> _create;
    private readonly SharedMemory _state = SharedMemory.Create("test-dm-state", DeviceModelLink.StatePageSize);
    private readonly SharedMemory _output = DeviceOutputRing.Create("test-dm-output");
    private readonly SharedMemory _input = DeviceOutputRing.Create("test-dm-input");
    private readonly SharedMemory? _ram;
    private readonly string[] _files;
    private readonly List<DeviceContext> _contexts = [];
    private ulong _sequence;

    public List<string> Log { get; } = [];
    public TDevice Device { get; private set; }
    public SharedMemory StateMemory => _state;
    public SharedMemory? RamMemory => _ram;

    public DeviceBench(Func<TDevice> create, ulong ramSize = 0, params string[] files)
    {
        _create = create;
        _files = files;
        if (ramSize > 0)
            _ram = SharedMemory.Create("test-guest-ram", (long)ramSize);
        Device = Attach();
    }

    private TDevice Attach()
    {
        var device = _create();
        var context = new DeviceContext
        {
            State = _state.Duplicate(),
            Output = _output.Duplicate(),
            Input = _input.Duplicate(),
            Ram = _ram is null ? null : new GuestRam(_ram.Duplicate()),
            Files = [.. _files.Select(f => File.OpenHandle(f, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite))],
            Log = Log.Add,
        };
        _contexts.Add(context);
        device.Attach(context);
        return device;
    }

    /// <summary>A new instance over the same state, as the supervisor starts after a crash.</summary>
    public TDevice Restart() => Device = Attach();

    public ulong In(ushort port, int size = 1) => Device.Access(0, ++_sequence, IoAccess.Read(port, size), out _);

    public void Out(ushort port, ulong value, int size = 1) => Device.Access(0, ++_sequence, IoAccess.Write(port, size, value), out _);

    public int OutShutdown(ushort port, ulong value, int size = 1)
    {
        Device.Access(0, ++_sequence, IoAccess.Write(port, size, value), out int shutdown);
        return shutdown;
    }

    /// <summary>Repeats the last request, as a restarted model finds it still pending in the ioreq page.</summary>
    public ulong Repeat(IoAccess access) => Device.Access(0, _sequence, access, out _);

    public ulong Next(IoAccess access) => Device.Access(0, ++_sequence, access, out _);

    public ByteRing OutputRing => DeviceOutputRing.View(_output);

    /// <summary>Plays the console service typing for the guest; returns how many bytes fit.</summary>
    public int Type(ReadOnlySpan<byte> bytes)
    {
        var r = DeviceOutputRing.View(_input).Write(bytes);
        Assert.True(r.IsOk, r.ToString());
        return r.Count;
    }

    public uint InputConsumed => DeviceOutputRing.View(_input).Consumer;

    /// <summary>Plays a hostile console service: the consumer index is the first word of the ring memfd.</summary>
    public void SetOutputConsumer(uint value) => *(uint*)_output.Pointer = value;

    /// <summary>Everything produced to the output ring so far (consuming it).</summary>
    public byte[] DrainOutput()
    {
        var ring = OutputRing;
        var buffer = new byte[DeviceOutputRing.DataSize];
        var r = ring.Read(buffer);
        Assert.True(r.IsOk, r.ToString());
        return buffer[..r.Count];
    }

    public void Dispose()
    {
        foreach (var c in _contexts)
            c.Dispose();
        _state.Dispose();
        _output.Dispose();
        _input.Dispose();
        _ram?.Dispose();
    }
}
