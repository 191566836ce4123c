using System.Buffers.Binary;

namespace Micro.XenStore.Wire;

/// <summary>
/// Cuts a byte stream (socket or ring) into xs_wire messages. A header announcing more than
/// XENSTORE_PAYLOAD_MAX bytes is a protocol violation: the decoder stops and reports it, and the
/// connection is closed (as the C daemon does), because the stream can no longer be trusted.
/// </summary>
public sealed class XsFrameDecoder
{
    private readonly byte[] _header = new byte[XsLimits.HeaderSize];
    private int _headerFill;
    private byte[]? _payload;
    private int _payloadFill;

    /// <summary>Why the stream was rejected, or null while it is well formed.</summary>
    public string? Error { get; private set; }

    /// <summary>The bytes of the incomplete message held so far (to save it, and feed it again later).</summary>
    public byte[] Buffered()
    {
        if (_payload is null)
            return _header.AsSpan(0, _headerFill).ToArray();
        var held = new byte[XsLimits.HeaderSize + _payloadFill];
        _header.CopyTo(held, 0);
        _payload.AsSpan(0, _payloadFill).CopyTo(held.AsSpan(XsLimits.HeaderSize));
        return held;
    }

    /// <summary>
    /// Consumes bytes; each complete message goes to <paramref name="onMessage"/>. Returns false once the
    /// stream is malformed (see <see cref="Error"/>); later calls consume nothing.
    /// </summary>
    public bool Feed(ReadOnlySpan<byte> data, Action<XsMessage> onMessage)
    {
        while (Error is null && data.Length > 0)
        {
            if (_payload is null)
            {
                int n = Math.Min(XsLimits.HeaderSize - _headerFill, data.Length);
                data[..n].CopyTo(_header.AsSpan(_headerFill));
                _headerFill += n;
                data = data[n..];
                if (_headerFill < XsLimits.HeaderSize)
                    break;
                uint len = BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(12));
                if (len > XsLimits.PayloadMax)
                {
                    Error = $"payload length {len} exceeds {XsLimits.PayloadMax}";
                    return false;
                }
                _payload = new byte[len];
                _payloadFill = 0;
            }
            int m = Math.Min(_payload.Length - _payloadFill, data.Length);
            data[..m].CopyTo(_payload.AsSpan(_payloadFill));
            _payloadFill += m;
            data = data[m..];
            if (_payloadFill == _payload.Length)
            {
                var msg = new XsMessage(
                    BinaryPrimitives.ReadUInt32LittleEndian(_header),
                    BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(4)),
                    BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(8)),
                    _payload);
                _payload = null;
                _headerFill = 0;
                onMessage(msg);
            }
        }
        return Error is null;
    }
}
