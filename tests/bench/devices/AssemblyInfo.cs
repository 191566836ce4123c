// KVM, memfd and device-model processes: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
