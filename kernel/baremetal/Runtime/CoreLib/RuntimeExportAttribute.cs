namespace System.Runtime;

/// <summary>Exports a method under a symbol name ilc-generated code calls (RhpNewFast, memset...).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RuntimeExportAttribute : Attribute
{
    public RuntimeExportAttribute(string entry)
    {
    }
}

/// <summary>Binds a method to a symbol provided elsewhere (the nasm stub).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RuntimeImportAttribute : Attribute
{
    public RuntimeImportAttribute(string entry)
    {
    }

    public RuntimeImportAttribute(string dllName, string entry)
    {
    }
}
