using System.Text.Json;
using System.Text.Json.Serialization;
using Micro.Toolstack.Management;

namespace Micro.Toolstack.Cli;

/// <summary>One row of <c>micro list --json</c>.</summary>
public sealed record ListEntry(string Name, ushort Domid, uint Memory, uint Vcpus, string State, double Time)
{
    public static ListEntry From(DomainStatus d) => new(d.Name, d.Domid, d.MemoryMiB, d.Vcpus, d.State, Math.Round(d.Seconds, 1));
}

/// <summary><c>micro info</c>: the list row, the uuid, the console log and the parsed configuration.</summary>
public sealed record DomainDetails(ListEntry Domain, string Uuid, string ConsoleLog, JsonElement Config);

/// <summary>One row of <c>micro services --json</c>.</summary>
public sealed record ServiceEntry(string Name, string State, int Pid, int Restarts, string LastExit);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(List<ListEntry>))]
[JsonSerializable(typeof(DomainDetails))]
[JsonSerializable(typeof(List<ServiceEntry>))]
internal sealed partial class CliJson : JsonSerializerContext;
