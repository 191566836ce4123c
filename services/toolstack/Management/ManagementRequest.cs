namespace Micro.Toolstack.Management;

/// <summary>
/// One request from the CLI. <see cref="Target"/> names a domain (name or domid) for the per-domain
/// verbs; Create carries the configuration's bytes (the daemon parses them itself), its file name for
/// diagnostics, the command line's KEY=VALUE overrides, and whether to leave the domain paused.
/// </summary>
public sealed record ManagementRequest(ManagementVerb Verb, string Target = "", string File = "", byte[]? Config = null, IReadOnlyList<string>? Overrides = null, bool Paused = false);
