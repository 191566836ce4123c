namespace Micro.Console;

/// <summary>Xen's domid range for real domains: 0..DOMID_FIRST_RESERVED-1 (0x7FF0).</summary>
public static class DomainIds
{
    public const int Limit = 0x7FF0;

    public static bool IsValid(long domid) => domid >= 0 && domid < Limit;
}
