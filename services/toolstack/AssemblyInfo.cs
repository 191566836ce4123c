using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Micro.Toolstack.Tests")]
