namespace Micro.Toolstack.Config;

/// <summary>The result of reading an xl.cfg: the configuration (null on any error) and every diagnostic, in order.</summary>
public sealed record XlConfigResult(DomainConfig? Config, IReadOnlyList<ConfigDiagnostic> Diagnostics)
{
    public bool Ok => Config is not null;
}

/// <summary>Reads an xl.cfg file (or bytes) plus <c>KEY=VALUE</c> overrides from the command line, as <c>xl create</c> does.</summary>
public static class XlConfig
{
    public const string CommandLine = "<command line>";

    public static XlConfigResult Load(string path, IReadOnlyList<string>? overrides = null)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > XlSyntax.MaxFileBytes)
                return new(null, [new(new(path, 1, 1), true, $"the file is {info.Length} bytes; the limit is {XlSyntax.MaxFileBytes} bytes")]);
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new(null, [new(new(path, 0, 0), true, "cannot read the file: " + e.Message)]);
        }
        return Parse(path, bytes, overrides);
    }

    public static XlConfigResult Parse(string file, ReadOnlySpan<byte> bytes, IReadOnlyList<string>? overrides = null)
    {
        var diagnostics = new List<ConfigDiagnostic>();
        var document = new XlDocument();
        XlSyntax.Parse(file, bytes, document, diagnostics);
        if (overrides is { Count: > 0 })
            XlSyntax.Parse(CommandLine, System.Text.Encoding.UTF8.GetBytes(string.Join('\n', overrides)), document, diagnostics);
        if (diagnostics.Any(d => d.IsError))
            return new(null, diagnostics);
        var config = DomainConfigReader.Read(document, diagnostics, file);
        return new(config, diagnostics);
    }
}
