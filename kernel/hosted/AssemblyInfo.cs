[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Micro.Kernel.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("micro-bench-kernel")]
