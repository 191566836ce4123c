using Micro.Console.Consoles;
using Micro.Console.Logging;
using Micro.Protocol.Os;
using Micro.Protocol.Xen;

namespace Micro.Console.Tests;

/// <summary>
/// The crash windows of the log protocol, entered on purpose: a daemon that dies after writing the log but
/// before the cursor, or after the cursor but before moving the ring index, recovers exactly on reopen.
/// </summary>
public sealed unsafe class RecoveryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "micro-console-recovery-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<string> _notes = [];

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private ConsoleLog Open() => ConsoleLog.Open(_dir, "g", sync: false, _notes.Add);

    private static ConsoleSource Source(SharedMemory page)
        => new(SourceKind.Console, SharedMemoryView(page), EventFd.Create(), EventFd.Create());

    // A second mapping, so that the test keeps its own view of the page after the source is disposed.
    private static SharedMemory SharedMemoryView(SharedMemory page) => page.Duplicate();

    [Fact]
    public void BytesLoggedButNotRecordedAreCutAndReadAgain()
    {
        using var page = SharedMemory.Create("console", 4096);
        var ring = new XenConsoleRing(page.Pointer);
        ring.WriteOutput("first second"u8);
        using (var log = Open())
        using (var source = Source(page))
        {
            Span<byte> buf = stackalloc byte[64];
            int n = source.PeekOutput(buf[..6], out _);
            log.Append(buf[..n]);
            log.Commit(SourceKind.Console, source.Identity, source.Consumer + (uint)n);
            source.CommitOutput(n);
            n = source.PeekOutput(buf, out _);
            log.Append(buf[..n]); // dies here: logged, but neither recorded nor consumed
        }
        Assert.Equal("first second", File.ReadAllText(Path.Combine(_dir, "guest-g.log")));
        using (var log = Open())
        using (var source = Source(page))
        {
            Assert.Equal(6, log.Length);
            Assert.Contains(_notes, n => n.Contains("cut 6 bytes", StringComparison.Ordinal));
            Assert.True(log.Position(SourceKind.Console).Valid);
            Assert.Equal(6u, source.Consumer);
            Span<byte> buf = stackalloc byte[64];
            int n = source.PeekOutput(buf, out _);
            Assert.Equal("second", System.Text.Encoding.ASCII.GetString(buf[..n]));
        }
    }

    [Fact]
    public void TheFirstBatchOfANewLogIsCutToo()
    {
        using var page = SharedMemory.Create("console", 4096);
        new XenConsoleRing(page.Pointer).WriteOutput("once"u8);
        using (var log = Open())
        using (var source = Source(page))
        {
            Span<byte> buf = stackalloc byte[64];
            int n = source.PeekOutput(buf, out _);
            log.Append(buf[..n]); // dies before the first cursor record of this source
        }
        using (var log = Open())
            Assert.Equal(0, log.Length);
    }

    [Fact]
    public void ANewPageIsRecordedBeforeItsFirstByteIsRead()
    {
        using var old = SharedMemory.Create("old", 4096);
        using var fresh = SharedMemory.Create("new", 4096);
        new XenConsoleRing(fresh.Pointer).WriteOutput("new domain"u8);
        using (var log = Open())
        using (var source = Source(old))
            log.Commit(SourceKind.Console, source.Identity, 0x1234); // the log knew an earlier domain's page
        var console = new GuestConsole(1, "g", Open(), new RateLimit(0, 200), 8192, _notes.Add);
        using (console)
        {
            var source = Source(fresh);
            console.AddSource(source);
            Assert.Equal(new LogCursor.Position(source.Identity, 0, true), console.Log.Position(SourceKind.Console));
        }
    }

    [Fact]
    public void BytesRecordedButNotConsumedAreSkippedOnResume()
    {
        using var page = SharedMemory.Create("console", 4096);
        var ring = new XenConsoleRing(page.Pointer);
        ring.WriteOutput("abcdef"u8);
        ulong identity;
        using (var log = Open())
        using (var source = Source(page))
        {
            identity = source.Identity;
            Span<byte> buf = stackalloc byte[64];
            int n = source.PeekOutput(buf, out _);
            log.Append(buf[..n]);
            log.Commit(SourceKind.Console, source.Identity, source.Consumer + (uint)n); // dies here: index not moved
        }
        Assert.Equal(0u, ((XenConsInterface*)page.Pointer)->out_cons);
        using (var log = Open())
        using (var source = Source(page))
        {
            Assert.Equal(identity, source.Identity);
            var at = log.Position(SourceKind.Console);
            Assert.True(source.ResumeAt(at.Index));
            Assert.Equal(6u, ((XenConsInterface*)page.Pointer)->out_cons);
            Assert.Equal(6, log.Length);
        }
    }

    [Fact]
    public void ACursorIndexOutsideTheRingIsNotTrusted()
    {
        using var page = SharedMemory.Create("console", 4096);
        new XenConsoleRing(page.Pointer).WriteOutput("xyz"u8);
        using var source = Source(page);
        Assert.False(source.ResumeAt(4));          // beyond the producer
        Assert.False(source.ResumeAt(0xFFFFFFFF)); // behind the consumer
        Assert.True(source.ResumeAt(3));
        Assert.Equal(3u, source.Consumer);
    }

    [Fact]
    public void TheNewerValidCursorSlotWinsAndACorruptOneIsIgnored()
    {
        Directory.CreateDirectory(_dir);
        string path = Path.Combine(_dir, "c.cursor");
        using (var cursor = LogCursor.Open(path, sync: false, out bool found))
        {
            Assert.False(found);
            cursor.Record(10, 0, 77, 10);
            cursor.Record(25, 1, 88, 15);
        }
        using (var cursor = LogCursor.Open(path, sync: false, out bool found))
        {
            Assert.True(found);
            Assert.Equal(25, cursor.LogLength);
            Assert.Equal(new LogCursor.Position(77, 10, true), cursor[0]);
            Assert.Equal(new LogCursor.Position(88, 15, true), cursor[1]);
        }
        // Spoil the newer slot (sequence 2 lives in slot 0): the older one is used.
        var bytes = File.ReadAllBytes(path);
        bytes[20] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        using (var cursor = LogCursor.Open(path, sync: false, out bool found))
        {
            Assert.True(found);
            Assert.Equal(10, cursor.LogLength);
            Assert.False(cursor[1].Valid);
        }
        File.WriteAllBytes(path, new byte[100]);
        using (var cursor = LogCursor.Open(path, sync: false, out bool found))
            Assert.False(found);
    }

    [Fact]
    public void LogNamesAreMadeSafeForFileNames()
    {
        Assert.Equal("web-1.example", ConsoleLog.SafeName("web-1.example"));
        Assert.Equal("_._etc_passwd", ConsoleLog.SafeName("../etc/passwd"));
        Assert.Equal("_.", ConsoleLog.SafeName(".."));
        Assert.Equal("_", ConsoleLog.SafeName(""));
        Assert.Equal(64, ConsoleLog.SafeName(new string('a', 300)).Length);
    }
}
