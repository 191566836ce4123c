using System.Globalization;
using Micro.Toolstack.Management;

namespace Micro.Toolstack.Cli;

/// <summary>xl list's table: Name ID Mem VCPUs State Time(s).</summary>
public static class DomainTable
{
    public static void Print(IEnumerable<DomainStatus> domains, TextWriter stdout)
    {
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"Name",-40}{"ID",5}{"Mem",6}{"VCPUs",6}{"State",11}{"Time(s)",10}"));
        foreach (var d in domains)
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{d.Name,-40}{d.Domid,5}{d.MemoryMiB,6}{d.Vcpus,6}{d.State,11}{d.Seconds,10:0.0}"));
    }
}
