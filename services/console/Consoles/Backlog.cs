namespace Micro.Console.Consoles;

/// <summary>The last <see cref="Capacity"/> bytes a console produced, replayed to each client that attaches.</summary>
public sealed class Backlog(int capacity)
{
    private readonly byte[] _data = new byte[capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity))];
    private long _written;

    public int Capacity => _data.Length;
    public int Length => (int)Math.Min(_written, _data.Length);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= _data.Length)
        {
            bytes[^_data.Length..].CopyTo(_data);
            _written += bytes.Length;
            _written -= _written % _data.Length; // keep the slot arithmetic below aligned with the copy above
            return;
        }
        int at = (int)(_written % _data.Length);
        int first = Math.Min(bytes.Length, _data.Length - at);
        bytes[..first].CopyTo(_data.AsSpan(at));
        bytes[first..].CopyTo(_data);
        _written += bytes.Length;
    }

    /// <summary>The held bytes, oldest first.</summary>
    public byte[] ToArray()
    {
        var result = new byte[Length];
        int start = (int)((_written - Length) % _data.Length);
        int first = Math.Min(Length, _data.Length - start);
        _data.AsSpan(start, first).CopyTo(result);
        _data.AsSpan(0, Length - first).CopyTo(result.AsSpan(first));
        return result;
    }
}
