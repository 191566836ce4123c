[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Micro.Kernel.Tests")]
