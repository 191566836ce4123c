namespace Micro.XenStore.Watches;

/// <summary>
/// A registered watch: the absolute node (or special name) it covers, the client's token, and
/// whether the client named it relative to its domain path (then events are reported relative too).
/// </summary>
public sealed record Watch(string Path, string Token, bool Relative);
