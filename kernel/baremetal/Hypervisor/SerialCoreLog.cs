using Micro.BareMetal.Platform;
using Micro.Core;

namespace Micro.BareMetal.Hypervisor;

/// <summary>The core's log lines, on the serial port.</summary>
internal sealed class SerialCoreLog : CoreLog
{
    public override void Write(LogLevel level, string message, int domid, long a, long b)
    {
        Serial.Write("micro: core: d");
        Serial.WriteDec(domid);
        Serial.Write(" ");
        Serial.Write(message);
        Serial.Write(" (");
        Serial.WriteHex((ulong)a);
        Serial.Write(", ");
        Serial.WriteDec(b);
        Serial.WriteLine(")");
    }
}
