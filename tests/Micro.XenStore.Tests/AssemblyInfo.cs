// The daemons under test run on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
