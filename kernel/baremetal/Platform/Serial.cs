namespace Micro.BareMetal.Platform;

/// <summary>COM1 (16550 at 0x3F8), the kernel's console: polled output, 115200 8N1.</summary>
internal static class Serial
{
    private const uint Port = 0x3F8;

    public static void Init()
    {
        Cpu.OutB(Port + 1, 0x00); // no interrupts
        Cpu.OutB(Port + 3, 0x80); // divisor latch
        Cpu.OutB(Port + 0, 0x01); // 115200 baud
        Cpu.OutB(Port + 1, 0x00);
        Cpu.OutB(Port + 3, 0x03); // 8N1
        Cpu.OutB(Port + 2, 0xC7); // FIFO on, cleared
        Cpu.OutB(Port + 4, 0x03); // DTR, RTS
    }

    public static void WriteByte(uint b)
    {
        for (int i = 0; i < 100000 && (Cpu.InB(Port + 5) & 0x20) == 0; i++)
            Cpu.Pause();
        Cpu.OutB(Port, b & 0xFF);
    }

    public static void Write(string s)
    {
        for (int i = 0; i < s.Length; i++)
            WriteByte(s[i]);
    }

    public static void WriteLine(string s)
    {
        Write(s);
        WriteByte('\n');
    }

    public static void WriteLine() => WriteByte('\n');

    public static void WriteHex(ulong value)
    {
        Write("0x");
        bool started = false;
        for (int shift = 60; shift >= 0; shift -= 4)
        {
            uint digit = (uint)(value >> shift) & 0xF;
            if (digit != 0 || started || shift == 0)
            {
                started = true;
                WriteByte(digit < 10 ? '0' + digit : 'a' + digit - 10);
            }
        }
    }

    public static void WriteDec(ulong value)
    {
        ulong divisor = 1;
        while (value / divisor >= 10)
            divisor *= 10;
        for (; divisor > 0; divisor /= 10)
            WriteByte('0' + (uint)(value / divisor % 10));
    }

    public static void WriteDec(long value)
    {
        if (value < 0)
        {
            WriteByte('-');
            WriteDec((ulong)-value);
        }
        else
        {
            WriteDec((ulong)value);
        }
    }
}
