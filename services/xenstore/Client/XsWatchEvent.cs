namespace Micro.XenStore.Client;

/// <summary>An XS_WATCH_EVENT: the node that changed (relative if the watch was) and the watch's token.</summary>
public readonly record struct XsWatchEvent(string Path, string Token);
