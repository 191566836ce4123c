using Micro.Protocol.Os;
using Micro.XenStore.Transport;
using Microsoft.Win32.SafeHandles;

namespace Micro.XenStore.Persistence;

/// <summary>
/// The append-only journal file. Space is preallocated with real zeros in large chunks, so an
/// append overwrites blocks the file already owns and fdatasync has no metadata to flush — several
/// times cheaper per acknowledged batch than growing the file. Zeros read back as "no more records".
/// </summary>
public sealed class JournalFile : IDisposable
{
    public const int Chunk = 4 << 20;
    private readonly SafeFileHandle _handle;
    private long _end;          // where the next record goes
    private long _allocated;    // bytes of zeros (or records) the file holds

    private JournalFile(SafeFileHandle handle, long end, long allocated)
    {
        _handle = handle;
        _end = end;
        _allocated = allocated;
    }

    public string Path { get; private init; } = "";

    /// <summary>Opens (or creates) a journal; reads its good records and zeroes whatever follows them.</summary>
    public static JournalFile Open(string path, List<StateRecord> records)
    {
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        long length = RandomAccess.GetLength(handle);
        byte[] data = new byte[length];
        int read = 0;
        while (read < length)
        {
            int n = RandomAccess.Read(handle, data.AsSpan(read), read);
            if (n <= 0)
                break;
            read += n;
        }
        int good = StateRecord.ReadAll(data.AsSpan(0, read), records);
        var journal = new JournalFile(handle, good, length) { Path = path };
        // A torn or corrupt tail was never acknowledged: wipe it so it can never be mistaken for records.
        int dirty = 0;
        for (int i = good; i < read; i++)
        {
            if (data[i] != 0)
                dirty = i - good + 1;
        }
        if (dirty > 0)
        {
            RandomAccess.Write(handle, new byte[dirty], good);
            _ = LibC.Fdatasync((int)handle.DangerousGetHandle());
        }
        return journal;
    }

    /// <summary>Appends the bytes and makes them durable before returning.</summary>
    public void AppendDurably(ReadOnlySpan<byte> bytes)
    {
        bool grew = false;
        while (_end + bytes.Length > _allocated)
        {
            RandomAccess.Write(_handle, new byte[Chunk], _allocated);
            _allocated += Chunk;
            grew = true;
        }
        RandomAccess.Write(_handle, bytes, _end);
        _end += bytes.Length;
        int fd = (int)_handle.DangerousGetHandle();
        int rc = grew ? LibC.Fsync(fd) : LibC.Fdatasync(fd);
        if (rc != 0)
            throw new IOException($"fsync of {Path} failed");
    }

    public void Dispose() => _handle.Dispose();
}
