[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Micro.Protocol.Tests")]
