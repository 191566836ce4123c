using Micro.Core.Memory;

namespace Micro.Core.GrantTables;

/// <summary>
/// A domain's v1 grant table: the entries it writes (in grant frames that start as core-owned pages
/// and move into guest memory when the guest maps them), the pin counts of its granted pages that
/// others have mapped, and the maptrack of grants it has mapped itself. Callers hold the core lock.
/// </summary>
public sealed unsafe class GrantTable
{
    public const int EntrySize = 8;
    public const int EntriesPerFrame = PageAllocator.PageSize / EntrySize;
    public const int MaxFramesLimit = 64;
    public const int MapTrackCapacity = 1024;

    private readonly int domid;
    private readonly PageAllocator pages;
    private readonly nint[] frames;
    private readonly nint[] backing;
    private readonly ulong[] frameGfns;
    private readonly ushort[] readPins;
    private readonly ushort[] writePins;
    private readonly int[] activeDomid;
    private readonly uint[] activeFrame;
    private readonly MapTrackEntry[] mapTrack = new MapTrackEntry[MapTrackCapacity];

    internal GrantTable(int domid, int maxFrames, PageAllocator pages)
    {
        this.domid = domid;
        this.pages = pages;
        frames = new nint[maxFrames];
        backing = new nint[maxFrames];
        frameGfns = new ulong[maxFrames];
        int maxEntries = maxFrames * EntriesPerFrame;
        readPins = new ushort[maxEntries];
        writePins = new ushort[maxEntries];
        activeDomid = new int[maxEntries];
        activeFrame = new uint[maxEntries];
    }

    /// <summary>Frames set up so far (nr_grant_frames).</summary>
    public int FrameCount { get; private set; }

    public int MaxFrames => frames.Length;

    /// <summary>Valid refs are 0 ..< EntryCount.</summary>
    public int EntryCount => FrameCount * EntriesPerFrame;

    /// <summary>The 8-byte entry of <paramref name="gref"/> (checked by the caller against <see cref="EntryCount"/>).</summary>
    public ulong* Entry(int gref) => (ulong*)frames[gref / EntriesPerFrame] + (gref % EntriesPerFrame);

    public static ushort FlagsOf(ulong entry) => (ushort)entry;

    public static int DomidOf(ulong entry) => (ushort)(entry >> 16);

    public static uint FrameOf(ulong entry) => (uint)(entry >> 32);

    public static ulong MakeEntry(ushort flags, int domid, uint frame) =>
        flags | ((ulong)(ushort)domid << 16) | ((ulong)frame << 32);

    /// <summary>Where frame <paramref name="index"/> is mapped in the guest, or Domain.NoGfn.</summary>
    public ulong FrameGfn(int index) => index < FrameCount ? frameGfns[index] : ulong.MaxValue;

    /// <summary>Grows the table to <paramref name="frameCount"/> frames: 0, -EINVAL beyond the maximum, -ENOMEM.</summary>
    internal int Grow(int frameCount)
    {
        if (frameCount > frames.Length)
            return -Errno.EINVAL;
        while (FrameCount < frameCount)
        {
            byte* page = pages.AllocatePage(domid);
            if (page == null)
                return -Errno.ENOMEM;
            backing[FrameCount] = (nint)page;
            frames[FrameCount] = (nint)page;
            frameGfns[FrameCount] = ulong.MaxValue;
            FrameCount++;
        }
        return 0;
    }

    /// <summary>Moves frame <paramref name="index"/> (contents and all) to the guest page at <paramref name="gfn"/>.</summary>
    internal void PlaceFrame(int index, byte* guestPage, ulong gfn)
    {
        byte* current = (byte*)frames[index];
        if (current != guestPage)
            GuestMemory.Copy(current, guestPage, PageAllocator.PageSize);
        frames[index] = (nint)guestPage;
        frameGfns[index] = gfn;
    }

    internal void Release()
    {
        for (int i = 0; i < FrameCount; i++)
        {
            pages.FreePage((byte*)backing[i]);
            backing[i] = 0;
            frames[i] = 0;
        }
        FrameCount = 0;
    }

    /// <summary>Writes a whole entry, as a toolstack seeding reserved entries does.</summary>
    internal void Seed(int gref, ushort flags, int grantee, uint frame) => *Entry(gref) = MakeEntry(flags, grantee, frame);

    public int ReadPins(int gref) => readPins[gref];

    public int WritePins(int gref) => writePins[gref];

    internal ref ushort ReadPinRef(int gref) => ref readPins[gref];

    internal ref ushort WritePinRef(int gref) => ref writePins[gref];

    internal ref int ActiveDomid(int gref) => ref activeDomid[gref];

    internal ref uint ActiveFrame(int gref) => ref activeFrame[gref];

    /// <summary>A free maptrack handle, or -1.</summary>
    internal int AllocateHandle()
    {
        for (int handle = 0; handle < mapTrack.Length; handle++)
        {
            if (!mapTrack[handle].InUse)
                return handle;
        }
        return -1;
    }

    public bool IsValidHandle(int handle) => handle >= 0 && handle < mapTrack.Length && mapTrack[handle].InUse;

    public ref MapTrackEntry Mapping(int handle) => ref mapTrack[handle];

    public int MappingCount
    {
        get
        {
            int count = 0;
            for (int i = 0; i < mapTrack.Length; i++)
            {
                if (mapTrack[i].InUse)
                    count++;
            }
            return count;
        }
    }
}
