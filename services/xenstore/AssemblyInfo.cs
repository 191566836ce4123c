// The daemon runs on Linux only (Unix sockets, poll, eventfd).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Micro.XenStore.Tests")]
