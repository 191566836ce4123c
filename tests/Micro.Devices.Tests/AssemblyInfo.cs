// Device models and their tests are Linux only (memfd, eventfd, KVM).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
// Guests on KVM and device-model processes are heavy on this shared machine: one test class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
