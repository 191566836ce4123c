// The daemon and these tests run on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
