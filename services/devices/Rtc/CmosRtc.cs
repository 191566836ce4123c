using Micro.Devices.Host;

namespace Micro.Devices.Rtc;

/// <summary>
/// The MC146818 CMOS RTC at ports 0x70 (index, bit 7 masks NMI) and 0x71 (data). Time registers
/// (seconds 0x00 … year 0x09, century 0x32) read the host clock plus the offset the guest set, in BCD
/// or binary and 12- or 24-hour form as status register B says; status A never shows an update in
/// progress (each read is computed whole), C clears on read, D reports valid power. The rest of the
/// 128 bytes are NVRAM.
/// </summary>
public sealed unsafe class CmosRtc(Func<DateTime>? clock = null) : PortDevice<CmosState>
{
    public const ushort IndexPort = 0x70, DataPort = 0x71;
    public const byte Seconds = 0x00, Minutes = 0x02, Hours = 0x04, Weekday = 0x06, Day = 0x07, Month = 0x08, Year = 0x09;
    public const byte StatusA = 0x0A, StatusB = 0x0B, StatusC = 0x0C, StatusD = 0x0D, Century = 0x32;
    private const byte BBinary = 0x04, B24Hour = 0x02;

    private readonly Func<DateTime> _clock = clock ?? (() => DateTime.UtcNow);

    public override string Name => "cmos";
    public override IReadOnlyList<PortRange> Ports => [new(IndexPort, DataPort)];

    protected override void PowerOn(ref CmosState s)
    {
        s = default;
        s.Ram[StatusA] = 0x26; // 32.768 kHz time base, 1024 Hz periodic rate
        s.Ram[StatusB] = B24Hour; // BCD, 24-hour
        s.Ram[StatusD] = 0x80; // valid RAM and time
    }

    protected override ulong Read(ref CmosState s, IoAccess access)
    {
        if (access.Port != DataPort)
            return access.Ones; // the index register is write-only
        byte index = s.Index;
        if (IsTime(index))
            return Encode(in s, index, GuestTime(in s));
        byte v = s.Ram[index];
        if (index == StatusC)
            s.Ram[StatusC] = 0; // reading C acknowledges the interrupt flags
        return index == StatusA ? (byte)(v & 0x7F) : v;
    }

    protected override void Write(ref CmosState s, IoAccess access, ref int shutdown)
    {
        byte v = (byte)access.Value;
        if (access.Port == IndexPort)
        {
            s.Index = (byte)(v & 0x7F);
            s.NmiDisabled = (byte)(v >> 7);
            return;
        }
        byte index = s.Index;
        if (IsTime(index))
            SetTime(ref s, index, v);
        else if (index is StatusC or StatusD)
            return; // read-only
        else
            s.Ram[index] = v;
    }

    private static bool IsTime(byte index) => index is Seconds or Minutes or Hours or Weekday or Day or Month or Year or Century;

    private DateTime GuestTime(in CmosState s) => _clock().AddSeconds(s.OffsetSeconds);

    private static byte Encode(in CmosState s, byte index, DateTime t)
    {
        byte b = s.Ram[StatusB];
        int value = index switch
        {
            Seconds => t.Second,
            Minutes => t.Minute,
            Hours => t.Hour,
            Weekday => (int)t.DayOfWeek + 1,
            Day => t.Day,
            Month => t.Month,
            Year => t.Year % 100,
            _ => t.Year / 100,
        };
        bool pm = false;
        if (index == Hours && (b & B24Hour) == 0)
        {
            pm = value >= 12;
            value = value % 12 == 0 ? 12 : value % 12;
        }
        byte encoded = (b & BBinary) != 0 ? (byte)value : ToBcd(value);
        return pm ? (byte)(encoded | 0x80) : encoded;
    }

    /// <summary>Setting one field moves the guest clock by the difference; the host clock is never touched.</summary>
    private void SetTime(ref CmosState s, byte index, byte raw)
    {
        byte b = s.Ram[StatusB];
        bool pm = index == Hours && (b & B24Hour) == 0 && (raw & 0x80) != 0;
        if (index == Hours && (b & B24Hour) == 0)
            raw &= 0x7F;
        int value = (b & BBinary) != 0 ? raw : FromBcd(raw);
        if (value < 0)
            return; // not BCD: a real RTC would store garbage; we keep the time
        DateTime now = GuestTime(in s);
        if (index == Hours && (b & B24Hour) == 0)
            value = (value % 12) + (pm ? 12 : 0);
        DateTime wanted;
        try
        {
            wanted = index switch
            {
                Seconds => now.AddSeconds(value - now.Second),
                Minutes => now.AddMinutes(value - now.Minute),
                Hours => now.AddHours(value - now.Hour),
                Weekday => now,
                Day => now.AddDays(value - now.Day),
                Month => now.AddMonths(value - now.Month),
                Year => now.AddYears(value - now.Year % 100),
                _ => now.AddYears((value - now.Year / 100) * 100),
            };
        }
        catch (ArgumentOutOfRangeException)
        {
            return; // a date DateTime cannot hold: ignored
        }
        s.OffsetSeconds += (long)(wanted - now).TotalSeconds;
    }

    private static byte ToBcd(int v) => (byte)(((v / 10) << 4) | (v % 10));

    private static int FromBcd(byte v) => (v >> 4) > 9 || (v & 0xF) > 9 ? -1 : (v >> 4) * 10 + (v & 0xF);
}
