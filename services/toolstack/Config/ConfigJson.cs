using System.Text.Json.Serialization;

namespace Micro.Toolstack.Config;

/// <summary>JSON for <c>micro create -n</c>, source-generated (AOT-safe), keys spelled as in xl.cfg.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DomainConfig))]
internal sealed partial class ConfigJson : JsonSerializerContext;
