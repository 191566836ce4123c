using Micro.Console.Consoles;
using Microsoft.Win32.SafeHandles;

namespace Micro.Console.Logging;

/// <summary>
/// A domain's console log, <c>guest-NAME.log</c>: exactly the bytes its console and UART produced, in the
/// order they were read, nothing added. With its <see cref="LogCursor"/> it is the daemon's crash-safe record:
///
/// 1. bytes are peeked from the ring (the page's consumer index does not move);
/// 2. they are appended to the log (fdatasync'd when <c>sync</c> is on);
/// 3. the cursor records the new log length and ring index (fdatasync'd when <c>sync</c> is on);
/// 4. only then does the ring's consumer index move.
///
/// A restart after a kill at any point recovers exactly: bytes in the log past the cursor's length are cut
/// (their ring index never moved, so they are read again), and a cursor index ahead of the page's consumer
/// index is published to the page (those bytes are in the log). Every completed write(2) survives the death
/// of the process; the fdatasyncs extend that to the death of the machine.
/// </summary>
public sealed class ConsoleLog : IDisposable
{
    private readonly SafeFileHandle _log;
    private readonly LogCursor _cursor;
    private readonly bool _sync;

    public string Path { get; }
    public long Length { get; private set; }

    private ConsoleLog(string path, SafeFileHandle log, LogCursor cursor, bool sync, long length)
    {
        Path = path;
        _log = log;
        _cursor = cursor;
        _sync = sync;
        Length = length;
    }

    /// <summary>Opens (or creates) the log for <paramref name="name"/> and repairs it against its cursor; <paramref name="note"/> hears what was repaired.</summary>
    public static ConsoleLog Open(string directory, string name, bool sync, Action<string> note)
    {
        Directory.CreateDirectory(directory);
        string path = System.IO.Path.Combine(directory, $"guest-{name}.log");
        var log = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        LogCursor? cursor = null;
        try
        {
            cursor = LogCursor.Open(System.IO.Path.Combine(directory, $"guest-{name}.cursor"), sync, out bool found);
            long length = RandomAccess.GetLength(log);
            if (found && length > cursor.LogLength)
            {
                note($"{path}: cut {length - cursor.LogLength} bytes written after the last cursor record (they are still in the ring)");
                RandomAccess.SetLength(log, cursor.LogLength);
                length = cursor.LogLength;
            }
            else if (found && length < cursor.LogLength)
            {
                note($"{path}: {length} bytes, shorter than the {cursor.LogLength} recorded; it was truncated outside the daemon, appending");
            }
            else if (!found)
            {
                cursor.Record(length); // so that even the first batch, if cut short by a kill, is cut on restart
            }
            return new ConsoleLog(path, log, cursor, sync, length);
        }
        catch
        {
            cursor?.Dispose();
            log.Dispose();
            throw;
        }
    }

    /// <summary>What the cursor says about <paramref name="source"/>'s ring.</summary>
    public LogCursor.Position Position(SourceKind source) => _cursor[(int)source];

    /// <summary>Step 2: appends console bytes.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        RandomAccess.Write(_log, bytes, Length);
        Length += bytes.Length;
        if (_sync)
            RandomAccess.FlushToDisk(_log);
    }

    /// <summary>Step 3: records that <paramref name="source"/>'s output up to <paramref name="index"/> is in the log.</summary>
    public void Commit(SourceKind source, ulong identity, uint index) => _cursor.Record(Length, (int)source, identity, index);

    /// <summary>The last bytes of the log, at most <paramref name="max"/> (for the backlog after a restart).</summary>
    public byte[] Tail(int max)
    {
        int n = (int)Math.Min(max, Length);
        var tail = new byte[n];
        int read = RandomAccess.Read(_log, tail, Length - n);
        return read == n ? tail : tail[..read];
    }

    /// <summary>A log file name part from a domain name: letters, digits, '.', '_' and '-' kept, anything else '_'.</summary>
    public static string SafeName(string name)
    {
        if (name.Length == 0)
            return "_";
        var chars = name.Length > 64 ? name[..64].ToCharArray() : name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            char c = chars[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' || (c == '.' && i > 0)))
                chars[i] = '_';
        }
        return new string(chars);
    }

    public void Dispose()
    {
        _cursor.Dispose();
        _log.Dispose();
    }
}
