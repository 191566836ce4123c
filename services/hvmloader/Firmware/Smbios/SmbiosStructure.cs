using System.Text;

namespace Micro.HvmLoader.Firmware.Smbios;

/// <summary>
/// One SMBIOS structure: type, length and handle, the formatted area, then its strings (each NUL
/// terminated, referenced by 1-based number; a double NUL closes the set).
/// </summary>
public sealed class SmbiosStructure
{
    private readonly byte[] _formatted;
    private readonly List<string> _strings = [];

    public SmbiosStructure(byte type, int length, ushort handle)
    {
        _formatted = new byte[length];
        _formatted[0] = type;
        _formatted[1] = (byte)length;
        _formatted[2] = (byte)handle;
        _formatted[3] = (byte)(handle >> 8);
    }

    /// <summary>The formatted area (writes after the 4-byte header go here).</summary>
    public Span<byte> Formatted => _formatted;

    /// <summary>Adds a string and stores its number at <paramref name="offset"/>; an empty string is number 0.</summary>
    public SmbiosStructure String(int offset, string value)
    {
        if (value.Length > 0)
        {
            _strings.Add(value);
            _formatted[offset] = (byte)_strings.Count;
        }
        return this;
    }

    public byte[] ToBytes()
    {
        var bytes = new List<byte>(_formatted);
        foreach (string s in _strings)
            bytes.AddRange([.. Encoding.ASCII.GetBytes(s), 0]);
        if (_strings.Count == 0)
            bytes.Add(0);
        bytes.Add(0);
        return [.. bytes];
    }
}
