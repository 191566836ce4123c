// The fuzz targets drive Linux-only code (the xenstore service).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
