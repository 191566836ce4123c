namespace System.Diagnostics.CodeAnalysis;

/// <summary>Lets nullable analysis know that a method (Panic.Halt) never returns.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class DoesNotReturnAttribute : Attribute
{
}
