// The daemon runs on Linux only (memfds, eventfds, Unix sockets, poll).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Micro.Console.Tests")]
