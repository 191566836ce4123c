// Device models run as Linux processes (memfd, eventfd, Unix sockets).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
