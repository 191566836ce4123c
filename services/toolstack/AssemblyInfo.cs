using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Micro.Toolstack.Tests")]
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
