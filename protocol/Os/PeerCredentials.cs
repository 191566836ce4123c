namespace Micro.Protocol.Os;

/// <summary>Who is at the other end of a Unix socket, as the kernel recorded it at connect time (SO_PEERCRED).</summary>
public readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid);
