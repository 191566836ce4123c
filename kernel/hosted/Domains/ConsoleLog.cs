using System.Text;

namespace Micro.Kernel.Domains;

/// <summary>
/// A domain's console output (console_io writes), kept whole and echoed line by line with the domid.
/// Bounded: a guest that prints forever cannot exhaust the core's memory.
/// </summary>
public sealed class ConsoleLog(int domid, TextWriter? echo = null, int capacity = 1 << 20)
{
    private readonly StringBuilder _text = new();
    private readonly StringBuilder _line = new();
    private bool _truncated;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_text)
        {
            foreach (byte b in bytes)
            {
                char c = b is (>= 0x20 and < 0x7F) or (byte)'\n' or (byte)'\t' ? (char)b : '.';
                if (_text.Length < capacity)
                    _text.Append(c);
                else
                    _truncated = true;
                if (c == '\n')
                {
                    echo?.WriteLine($"(d{domid}) {_line}");
                    _line.Clear();
                }
                else if (_line.Length < 1024)
                {
                    _line.Append(c);
                }
            }
        }
    }

    public string Text
    {
        get { lock (_text) return _truncated ? _text + "[truncated]" : _text.ToString(); }
    }
}
