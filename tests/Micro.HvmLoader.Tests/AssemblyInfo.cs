// The boot tests run guests on the hosted core (KVM, memfd, Unix sockets): Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
