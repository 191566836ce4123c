using Micro.Protocol.Os;
using Micro.XenStore.Domains;
using Micro.XenStore.Rings;
using Micro.XenStore.Service;
using Micro.XenStore.Store;
using Micro.XenStore.Transport;
using Micro.XenStore.Watches;

namespace Micro.XenStore.Persistence;

/// <summary>
/// Makes every acknowledged change durable: the tree, special-node permissions, introduced domains
/// and the watches of ring connections (guests keep their connection across a daemon restart).
///
/// Files in the state directory: <c>snapshot</c> (the whole state, epoch E) and <c>journal.E</c>
/// (every change since). fsync policy: changes are buffered while the event loop processes a batch
/// of requests and written with one write + fdatasync (into preallocated space, see
/// <see cref="JournalFile"/>) before any reply of that batch leaves (group commit); nothing is
/// acknowledged before it is on disk. Every <see cref="SnapshotEvery"/> records
/// a new snapshot (epoch E+1) is written to a temp file, fsynced, renamed over the old one and the
/// directory fsynced; only then is journal.E removed. On start: load the snapshot, replay its
/// journal and cut the journal at its first torn or corrupt record (it was never acknowledged).
/// </summary>
public sealed class PersistentState : StoreJournal, IDisposable
{
    private readonly string _dir;
    private readonly MemoryStream _pending = new();
    private JournalFile _journal;
    private long _epoch;
    private int _journalRecords;

    public int SnapshotEvery { get; set; } = 50_000;

    /// <summary>Ring connections' watches and transaction counters by domid, as last recorded.</summary>
    public Dictionary<uint, IReadOnlyList<Watch>> DomainWatches { get; } = [];
    public Dictionary<uint, uint> DomainTransactionIds { get; } = [];

    /// <summary>Where each guest ring's streams stood at the last durable point.</summary>
    public Dictionary<uint, RingProgress> RingPositions { get; } = [];

    private PersistentState(string dir, long epoch, JournalFile journal)
    {
        _dir = dir;
        _epoch = epoch;
        _journal = journal;
    }

    private string JournalPath(long epoch) => Path.Combine(_dir, "journal." + epoch);
    private static string SnapshotPath(string dir) => Path.Combine(dir, "snapshot");

    /// <summary>Loads the saved state (or starts empty) and returns the service built from it, journaling from now on.</summary>
    public static (XenStoreService Service, PersistentState State) Open(string dir, Quota? quota = null)
    {
        Directory.CreateDirectory(dir);
        var records = new List<StateRecord>();
        long epoch = 0;
        bool fresh = true;
        string snapshot = SnapshotPath(dir);
        if (File.Exists(snapshot))
        {
            byte[] data = File.ReadAllBytes(snapshot);
            if (data.Length >= 8)
            {
                epoch = BitConverter.ToInt64(data);
                int good = StateRecord.ReadAll(data.AsSpan(8), records);
                if (good != data.Length - 8)
                    throw new InvalidDataException($"{snapshot} is corrupt at byte {good + 8}");
                fresh = false;
            }
        }
        string journalPath = Path.Combine(dir, "journal." + epoch);
        if (File.Exists(journalPath))
            fresh = false;
        var journal = JournalFile.Open(journalPath, records);
        foreach (string stale in Directory.GetFiles(dir, "journal.*"))
        {
            if (stale != journalPath)
                File.Delete(stale);
        }

        var tree = new Tree(initialNodes: fresh);
        var service = new XenStoreService(tree, quota);
        var state = new PersistentState(dir, epoch, journal);
        foreach (var r in records)
            state.Apply(service, r);
        tree.Journal = state;
        service.State = state;
        if (fresh)
            state.WriteSnapshot(service);
        return (service, state);
    }

    private void Apply(XenStoreService service, StateRecord r)
    {
        var tree = service.Tree;
        switch (r.Kind)
        {
            case StateRecordKind.Put:
                if (r.Path == "/" || tree.Get(XsPath.Parent(r.Path)) is not null)
                    tree.Put(r.Path, r.Value, r.Perms!);
                break;
            case StateRecordKind.Delete:
                if (r.Path != "/" && tree.Get(r.Path) is not null)
                    tree.Delete(r.Path, []);
                break;
            case StateRecordKind.SpecialPerms:
                service.SetSpecialPermissions(r.Path, r.Perms!);
                break;
            case StateRecordKind.DomainIntroduced:
                service.RestoreDomain(new Domain(r.DomId, r.Mfn, r.Port));
                break;
            case StateRecordKind.DomainReleased:
                service.ForgetDomain(r.DomId);
                DomainWatches.Remove(r.DomId);
                DomainTransactionIds.Remove(r.DomId);
                RingPositions.Remove(r.DomId);
                break;
            case StateRecordKind.DomainTarget:
                if (service.Domains.TryGetValue(r.DomId, out var d))
                    d.Target = r.Number;
                break;
            case StateRecordKind.DomainWatches:
                DomainWatches[r.DomId] = r.Watches;
                break;
            case StateRecordKind.DomainTransactions:
                DomainTransactionIds[r.DomId] = r.Number;
                break;
            case StateRecordKind.RingProgress:
                RingPositions[r.DomId] = r.Ring!;
                break;
        }
    }

    private void Add(StateRecord r)
    {
        r.WriteTo(_pending);
        _journalRecords++;
    }

    public override void RecordPut(string path, byte[] value, XsPermissions perms)
        => Add(new StateRecord { Kind = StateRecordKind.Put, Path = path, Value = value, Perms = perms });

    public override void RecordDelete(string path) => Add(new StateRecord { Kind = StateRecordKind.Delete, Path = path });

    public void RecordSpecialPerms(string name, XsPermissions perms)
        => Add(new StateRecord { Kind = StateRecordKind.SpecialPerms, Path = name, Perms = perms });

    public void RecordDomainIntroduced(Domain d)
        => Add(new StateRecord { Kind = StateRecordKind.DomainIntroduced, DomId = d.DomId, Mfn = d.Mfn, Port = d.Port });

    public void RecordDomainReleased(uint domid)
    {
        DomainWatches.Remove(domid);
        DomainTransactionIds.Remove(domid);
        RingPositions.Remove(domid);
        Add(new StateRecord { Kind = StateRecordKind.DomainReleased, DomId = domid });
    }

    public void RecordDomainTarget(uint domid, uint target)
        => Add(new StateRecord { Kind = StateRecordKind.DomainTarget, DomId = domid, Number = target });

    public void RecordDomainWatches(uint domid, IReadOnlyList<Watch> watches)
    {
        DomainWatches[domid] = watches;
        Add(new StateRecord { Kind = StateRecordKind.DomainWatches, DomId = domid, Watches = watches });
    }

    public void RecordDomainTransactionId(uint domid, uint nextId)
    {
        DomainTransactionIds[domid] = nextId;
        Add(new StateRecord { Kind = StateRecordKind.DomainTransactions, DomId = domid, Number = nextId });
    }

    public void RecordRingProgress(RingProgress progress)
    {
        RingPositions[progress.DomId] = progress;
        Add(new StateRecord { Kind = StateRecordKind.RingProgress, DomId = progress.DomId, Ring = progress });
    }

    /// <summary>The group commit: writes and fsyncs what the batch changed. Call before sending its replies.</summary>
    public void Commit(XenStoreService service)
    {
        if (_pending.Length == 0)
            return;
        _journal.AppendDurably(_pending.GetBuffer().AsSpan(0, (int)_pending.Length));
        _pending.SetLength(0);
        if (_journalRecords >= SnapshotEvery)
            WriteSnapshot(service);
    }

    /// <summary>Writes the whole state as epoch E+1 and starts its empty journal.</summary>
    public void WriteSnapshot(XenStoreService service)
    {
        long next = _epoch + 1;
        string tmp = SnapshotPath(_dir) + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            f.Write(BitConverter.GetBytes(next));
            foreach (var node in service.Tree.PreOrder())
                new StateRecord { Kind = StateRecordKind.Put, Path = node.Path, Value = node.Value, Perms = node.Perms }.WriteTo(f);
            foreach (var (name, perms) in service.SpecialPermissions)
                new StateRecord { Kind = StateRecordKind.SpecialPerms, Path = name, Perms = perms }.WriteTo(f);
            foreach (var d in service.Domains.Values)
            {
                if (d.DomId == 0)
                    continue;
                new StateRecord { Kind = StateRecordKind.DomainIntroduced, DomId = d.DomId, Mfn = d.Mfn, Port = d.Port }.WriteTo(f);
                if (d.Target is uint t)
                    new StateRecord { Kind = StateRecordKind.DomainTarget, DomId = d.DomId, Number = t }.WriteTo(f);
            }
            foreach (var (domid, watches) in DomainWatches)
                new StateRecord { Kind = StateRecordKind.DomainWatches, DomId = domid, Watches = watches }.WriteTo(f);
            foreach (var (domid, id) in DomainTransactionIds)
                new StateRecord { Kind = StateRecordKind.DomainTransactions, DomId = domid, Number = id }.WriteTo(f);
            foreach (var (domid, progress) in RingPositions)
                new StateRecord { Kind = StateRecordKind.RingProgress, DomId = domid, Ring = progress }.WriteTo(f);
            f.Flush(flushToDisk: true);
        }
        if (File.Exists(JournalPath(next)))
            File.Delete(JournalPath(next));
        var newJournal = JournalFile.Open(JournalPath(next), []);
        newJournal.AppendDurably([]); // preallocates its first chunk
        File.Move(tmp, SnapshotPath(_dir), overwrite: true);
        SyncDirectory();
        _journal.Dispose();
        File.Delete(JournalPath(_epoch));
        _journal = newJournal;
        _epoch = next;
        _journalRecords = 0;
    }

    private void SyncDirectory()
    {
        int fd = LibC.Open(_dir, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        if (fd < 0)
            return;
        _ = LibC.Fsync(fd);
        _ = LibC.Close(fd);
    }

    public void Dispose() => _journal.Dispose();
}
