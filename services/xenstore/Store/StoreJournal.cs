namespace Micro.XenStore.Store;

/// <summary>Receives every change the committed tree makes, in order, so they can be made durable.</summary>
public abstract class StoreJournal
{
    public abstract void RecordPut(string path, byte[] value, XsPermissions perms);

    public abstract void RecordDelete(string path);
}
