namespace Micro.Toolstack.Management;

/// <summary>The daemon's answer: success or an error message, the configuration's diagnostics, and the domains concerned.</summary>
public sealed record ManagementReply(bool Ok, string Error, IReadOnlyList<string> Diagnostics, IReadOnlyList<DomainStatus> Domains)
{
    public static ManagementReply Success(params DomainStatus[] domains) => new(true, "", [], domains);

    public static ManagementReply Failure(string error, IReadOnlyList<string>? diagnostics = null) => new(false, error, diagnostics ?? [], []);
}
