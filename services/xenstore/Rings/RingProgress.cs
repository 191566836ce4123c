namespace Micro.XenStore.Rings;

/// <summary>
/// Where a guest's ring streams stood at a durable point: request bytes consumed (and those of an
/// incomplete message already held), and the output not yet in the reply ring with the index it
/// starts at. Saved with every batch that moved them, so a restarted store answers each request once.
/// </summary>
public sealed record RingProgress(uint DomId, uint Consumed, byte[] Partial, uint OutputStart, byte[] Unsent);
