// The tests run Linux-only code (memfds, eventfds, Unix sockets, the fuzz targets).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
