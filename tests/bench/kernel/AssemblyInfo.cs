// KVM, memfd and the service supervisor are Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
