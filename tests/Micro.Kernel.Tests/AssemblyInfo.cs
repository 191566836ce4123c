// The hosted core and its tests are Linux only (KVM, memfd, Unix sockets).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
