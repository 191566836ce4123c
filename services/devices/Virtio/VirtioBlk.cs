using System.Buffers.Binary;
using Micro.Devices.Host;
using Microsoft.Win32.SafeHandles;

namespace Micro.Devices.Virtio;

/// <summary>
/// virtio-blk (device type 2) over the legacy transport, backed by a disk image file the core opened
/// and passed (file grant 0). Requests: a 16-byte header (type, reserved, sector) in the first,
/// device-readable descriptor; data descriptors; a one-byte status in the last, device-writable one.
/// IN reads and OUT writes whole sectors, FLUSH syncs, GET_ID names the device; out-of-range sectors
/// answer IOERR, unknown types UNSUPP. Each is repeatable, so one interrupted by a crash runs again safely.
/// </summary>
public sealed class VirtioBlk(ushort @base) : VirtioPciDevice(@base)
{
    public const uint TypeIn = 0, TypeOut = 1, TypeFlush = 4, TypeGetId = 8;
    public const byte StatusOk = 0, StatusIoErr = 1, StatusUnsupported = 2;
    public const uint FeatureSegMax = 1 << 2, FeatureFlush = 1 << 9;
    public const int SectorSize = 512;

    private SafeFileHandle? _image;
    private ulong _sectors;
    private readonly byte[] _header = new byte[16];

    public override string Name => $"virtio-blk@{Base:x}";
    public override int BarSize => 0x40;
    protected override int QueueCount => 1;
    protected override uint HostFeatures => FeatureSegMax | FeatureFlush;

    protected override void OnAttach(DeviceContext context)
    {
        base.OnAttach(context);
        if (context.Files.Count < 1)
            throw new ArgumentException($"{Name} needs its disk image granted", nameof(context));
        _image = context.Files[0];
        _sectors = (ulong)RandomAccess.GetLength(_image) / SectorSize;
    }

    protected override ulong ReadConfig(int offset, int size)
    {
        Span<byte> config = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(config, _sectors); // capacity
        BinaryPrimitives.WriteUInt32LittleEndian(config[8..], 0); // size_max (not offered)
        BinaryPrimitives.WriteUInt32LittleEndian(config[12..], QueueSize - 2); // seg_max
        if (offset < 0 || offset + size > config.Length)
            return 0;
        ulong value = 0;
        for (int i = size - 1; i >= 0; i--)
            value = (value << 8) | config[offset + i];
        return value;
    }

    protected override bool Serve(ref VirtioState s, int q, List<Segment> chain, out uint written, out string? error)
    {
        written = 0;
        error = null;
        if (chain.Count < 2 || chain[0].Writable || chain[0].Len < 16 || !chain[^1].Writable || chain[^1].Len < 1)
        {
            error = "a block request needs a readable 16-byte header and a writable status byte";
            return false;
        }
        Ram.TryGet(chain[0].Addr, 16, out var header);
        header.CopyTo(_header); // read once
        uint type = BinaryPrimitives.ReadUInt32LittleEndian(_header);
        ulong sector = BinaryPrimitives.ReadUInt64LittleEndian(_header.AsSpan(8));
        var data = chain.GetRange(1, chain.Count - 2);
        ulong statusAddr = chain[^1].Addr + chain[^1].Len - 1;
        byte status;
        switch (type)
        {
            case TypeIn or TypeOut:
                status = Transfer(type == TypeIn, sector, data, ref written, out error);
                break;
            case TypeFlush:
                status = Flush();
                break;
            case TypeGetId:
                status = GetId(data, ref written);
                break;
            default:
                status = StatusUnsupported;
                break;
        }
        if (error is not null)
            return false;
        Ram.TryGet(statusAddr, 1, out var statusByte);
        statusByte[0] = status;
        written++;
        return true;
    }

    private byte Transfer(bool read, ulong sector, List<Segment> data, ref uint written, out string? error)
    {
        error = null;
        ulong length = 0;
        foreach (var seg in data)
        {
            if (seg.Writable != read)
            {
                error = $"a {(read ? "read" : "write")} request has a data buffer of the wrong direction";
                return StatusIoErr;
            }
            length += seg.Len;
        }
        if (length % SectorSize != 0 || sector > _sectors || length / SectorSize > _sectors - sector)
            return StatusIoErr; // the driver's mistake, not a broken queue
        long offset = (long)(sector * SectorSize);
        try
        {
            foreach (var seg in data)
            {
                Ram.TryGet(seg.Addr, seg.Len, out var buffer); // checked by the walk
                if (read)
                {
                    int n = RandomAccess.Read(_image!, buffer, offset);
                    if (n < buffer.Length)
                        buffer[n..].Clear(); // past a short file: zeros
                    written += seg.Len;
                }
                else
                    RandomAccess.Write(_image!, (ReadOnlySpan<byte>)buffer, offset);
                offset += seg.Len;
            }
        }
        catch (IOException e)
        {
            // The host's failure (disk full, I/O error) is the guest's IOERR, not a crash loop of the model.
            Context.Log($"{Name}: {(read ? "read" : "write")} at sector {sector}: {e.Message}");
            return StatusIoErr;
        }
        return StatusOk;
    }

    private byte Flush()
    {
        try
        {
            RandomAccess.FlushToDisk(_image!);
            return StatusOk;
        }
        catch (IOException e)
        {
            Context.Log($"{Name}: flush: {e.Message}");
            return StatusIoErr;
        }
    }

    private byte GetId(List<Segment> data, ref uint written)
    {
        if (data.Count == 0 || !data[0].Writable)
            return StatusIoErr;
        Ram.TryGet(data[0].Addr, Math.Min(20u, data[0].Len), out var buffer); // checked by the walk
        buffer.Clear();
        "micro-virtio-blk"u8[..Math.Min(16, buffer.Length)].CopyTo(buffer);
        written += (uint)buffer.Length;
        return StatusOk;
    }
}
