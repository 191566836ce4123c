using System.Globalization;
using System.Text;

namespace Micro.Toolstack.Config;

/// <summary>
/// The xl.cfg syntax (libxlu's): <c>KEY = VALUE</c> or <c>KEY += VALUE</c>, separated by newlines or
/// <c>;</c>; VALUE is a string in double or single quotes (C escapes), a number (decimal, with an
/// optional fraction, or 0x hex) or a flat list <c>[ v, v, ]</c> that may span lines; <c>#</c> starts a
/// comment; a backslash at the end of a line continues it. A later <c>=</c> replaces an earlier
/// setting; <c>+=</c> appends to a list or concatenates strings.
/// Reads any bytes without crashing: every problem becomes a diagnostic with file:line:column.
/// </summary>
public sealed class XlSyntax
{
    public const int MaxFileBytes = 1 << 20;
    public const int MaxKeyChars = 128;
    public const int MaxDiagnostics = 50;

    private readonly string _file;
    private readonly string _text;
    private readonly List<ConfigDiagnostic> _diagnostics;
    private readonly Dictionary<string, XlSetting> _settings = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    private XlSyntax(string file, string text, List<ConfigDiagnostic> diagnostics)
    {
        _file = file;
        _text = text;
        _diagnostics = diagnostics;
    }

    /// <summary>Parses <paramref name="bytes"/> (UTF-8) and merges its settings into <paramref name="into"/>, in order.</summary>
    public static void Parse(string file, ReadOnlySpan<byte> bytes, XlDocument into, List<ConfigDiagnostic> diagnostics)
    {
        if (bytes.Length > MaxFileBytes)
        {
            diagnostics.Add(new(new(file, 1, 1), true, $"the file is {bytes.Length} bytes; the limit is {MaxFileBytes} bytes"));
            return;
        }
        if (!TryDecode(file, bytes, diagnostics, out string text))
            return;
        var syntax = new XlSyntax(file, text, diagnostics);
        foreach (var setting in into.Settings)
            syntax.Store(setting, add: false);
        syntax.ParseFile();
        into.Replace(syntax._order.Select(key => syntax._settings[key]).ToList());
    }

    private static bool TryDecode(string file, ReadOnlySpan<byte> bytes, List<ConfigDiagnostic> diagnostics, out string text)
    {
        int line = 1, column = 1;
        for (int i = 0; i < bytes.Length;)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[i..], out var rune, out int used) != System.Buffers.OperationStatus.Done)
            {
                diagnostics.Add(new(new(file, line, column), true, $"invalid UTF-8 (byte 0x{bytes[i]:x2})"));
                text = "";
                return false;
            }
            i += used;
            if (rune.Value == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column += rune.Utf16SequenceLength;
            }
        }
        text = Encoding.UTF8.GetString(bytes);
        if (text.Length > 0 && text[0] == '\uFEFF')
            text = " " + text[1..]; // a BOM counts as a blank so columns stay right
        return true;
    }

    private ConfigPosition Here => new(_file, _line, _pos - _lineStart + 1);

    private char Current => _pos < _text.Length ? _text[_pos] : '\0';

    private bool AtEnd => _pos >= _text.Length;

    private bool TooMany => _diagnostics.Count(d => d.IsError) >= MaxDiagnostics;

    private void Advance()
    {
        if (_text[_pos] == '\n')
        {
            _line++;
            _lineStart = _pos + 1;
        }
        _pos++;
    }

    private void ParseFile()
    {
        while (!AtEnd && !TooMany)
        {
            SkipBlanks();
            if (AtEnd)
                break;
            char c = Current;
            if (c is '\n' or ';')
            {
                Advance();
                continue;
            }
            if (!ParseStatement(out string? error, out var errorAt))
            {
                _diagnostics.Add(new(errorAt, true, error!));
                SkipToNextLine();
            }
        }
    }

    private bool ParseStatement(out string? error, out ConfigPosition errorAt)
    {
        var keyAt = Here;
        errorAt = keyAt;
        if (!IsKeyStart(Current))
        {
            error = $"expected a key (letters, digits, '_'), found {Describe(_pos)}";
            return false;
        }
        int start = _pos;
        while (!AtEnd && IsKeyPart(Current))
            Advance();
        string key = _text[start.._pos];
        if (key.Length > MaxKeyChars)
        {
            error = $"key is {key.Length} characters long; the limit is {MaxKeyChars}";
            return false;
        }
        SkipBlanks();
        errorAt = Here;
        bool add;
        if (Current == '=')
        {
            add = false;
            Advance();
        }
        else if (Current == '+' && _pos + 1 < _text.Length && _text[_pos + 1] == '=')
        {
            add = true;
            Advance();
            Advance();
        }
        else
        {
            error = $"expected '=' or '+=' after '{key}', found {Describe(_pos)}";
            return false;
        }
        SkipBlanks();
        errorAt = Here;
        if (!ParseValue(key, inList: false, out var value, out error, out errorAt))
            return false;
        SkipBlanks();
        errorAt = Here;
        if (!AtEnd && Current != '\n' && Current != ';')
        {
            error = $"expected the end of the line or ';' after the value of '{key}', found {Describe(_pos)}";
            return false;
        }
        var setting = new XlSetting(key, keyAt, value!);
        if (!Store(setting, add))
        {
            error = $"'+=' cannot add {Kind(value!)} to {Kind(_settings[key].Value)} (set at line {_settings[key].Position.Line})";
            errorAt = keyAt;
            return false;
        }
        error = null;
        return true;
    }

    private bool Store(XlSetting setting, bool add)
    {
        if (!_settings.TryGetValue(setting.Key, out var existing))
        {
            _settings[setting.Key] = setting;
            _order.Add(setting.Key);
            return true;
        }
        if (!add)
        {
            if (setting.Position.File != XlConfig.CommandLine) // an override is meant to replace
                _diagnostics.Add(new(setting.Position, false, $"'{setting.Key}' is set again; the value from line {existing.Position.Line} is replaced"));
            _settings[setting.Key] = setting;
            return true;
        }
        XlValue? merged = (existing.Value, setting.Value) switch
        {
            (XlList a, XlList b) => new XlList(a.Position, [.. a.Items, .. b.Items]),
            (XlList a, XlString or XlNumber) => new XlList(a.Position, [.. a.Items, setting.Value]),
            (XlString a, XlString b) => new XlString(a.Position, a.Text + b.Text),
            _ => null,
        };
        if (merged is null)
            return false;
        _settings[setting.Key] = existing with { Value = merged };
        return true;
    }

    private bool ParseValue(string key, bool inList, out XlValue? value, out string? error, out ConfigPosition errorAt)
    {
        value = null;
        errorAt = Here;
        char c = Current;
        if (c is '"' or '\'')
            return ParseString(out value, out error, out errorAt);
        if (char.IsAsciiDigit(c))
            return ParseNumber(out value, out error);
        if (c == '[')
        {
            if (inList)
            {
                error = "lists cannot be nested";
                return false;
            }
            return ParseList(key, out value, out error, out errorAt);
        }
        if (AtEnd || c is '\n' or ';')
        {
            error = $"'{key}' has no value";
            return false;
        }
        if (IsKeyStart(c))
        {
            int end = _pos;
            while (end < _text.Length && IsKeyPart(_text[end]))
                end++;
            error = $"expected a value (a quoted string, a number or a list), found the bare word '{Truncate(_text[_pos..end])}'; strings need quotes";
            return false;
        }
        error = $"expected a value (a quoted string, a number or a list), found {Describe(_pos)}";
        return false;
    }

    private bool ParseNumber(out XlValue? value, out string? error)
    {
        var at = Here;
        int start = _pos;
        value = null;
        if (Current == '0' && _pos + 1 < _text.Length && (_text[_pos + 1] is 'x' or 'X'))
        {
            Advance();
            Advance();
            int digits = _pos;
            while (!AtEnd && char.IsAsciiHexDigit(Current))
                Advance();
            if (_pos == digits)
            {
                error = "'0x' must be followed by hexadecimal digits";
                return false;
            }
        }
        else
        {
            while (!AtEnd && char.IsAsciiDigit(Current))
                Advance();
            if (Current == '.')
            {
                Advance();
                int fraction = _pos;
                while (!AtEnd && char.IsAsciiDigit(Current))
                    Advance();
                if (_pos == fraction)
                {
                    error = $"malformed number '{Truncate(_text[start.._pos])}': a digit must follow '.'";
                    return false;
                }
            }
        }
        if (!AtEnd && (IsKeyPart(Current) || Current == '.'))
        {
            int end = _pos;
            while (end < _text.Length && (IsKeyPart(_text[end]) || _text[end] == '.'))
                end++;
            error = $"malformed number '{Truncate(_text[start..end])}'";
            return false;
        }
        value = new XlNumber(at, _text[start.._pos]);
        error = null;
        return true;
    }

    private bool ParseString(out XlValue? value, out string? error, out ConfigPosition errorAt)
    {
        var at = Here;
        char quote = Current;
        Advance();
        var text = new StringBuilder();
        value = null;
        while (true)
        {
            errorAt = Here;
            if (AtEnd || Current == '\n')
            {
                error = $"unterminated string (opened at column {at.Column} with {quote})";
                errorAt = at;
                return false;
            }
            char c = Current;
            if (c == quote)
            {
                Advance();
                break;
            }
            if (c == '\\')
            {
                Advance();
                if (!ParseEscape(text, out error))
                    return false;
                continue;
            }
            if (char.IsControl(c) && c != '\t')
            {
                error = $"control character U+{(int)c:X4} in a string (write it as an escape)";
                return false;
            }
            text.Append(c);
            Advance();
        }
        value = new XlString(at, text.ToString());
        error = null;
        errorAt = at;
        return true;
    }

    private bool ParseEscape(StringBuilder text, out string? error)
    {
        error = null;
        if (AtEnd || Current == '\n')
        {
            error = "a string cannot continue past the end of the line";
            return false;
        }
        char c = Current;
        char? simple = c switch
        {
            '\\' => '\\',
            '"' => '"',
            '\'' => '\'',
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'a' => '\a',
            'b' => '\b',
            'f' => '\f',
            'v' => '\v',
            _ => null,
        };
        if (simple is char s)
        {
            text.Append(s);
            Advance();
            return true;
        }
        if (c is >= '0' and <= '7')
        {
            int code = 0, digits = 0;
            while (digits < 3 && !AtEnd && Current is >= '0' and <= '7')
            {
                code = code * 8 + (Current - '0');
                digits++;
                Advance();
            }
            if (code > 0xFF)
            {
                error = $"octal escape is above \\377 (value {code})";
                return false;
            }
            text.Append((char)code);
            return true;
        }
        if (c == 'x')
        {
            Advance();
            if (_pos + 1 >= _text.Length || !char.IsAsciiHexDigit(_text[_pos]) || !char.IsAsciiHexDigit(_text[_pos + 1]))
            {
                error = "'\\x' must be followed by two hexadecimal digits";
                return false;
            }
            text.Append((char)int.Parse(_text.AsSpan(_pos, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            Advance();
            Advance();
            return true;
        }
        error = $"unknown escape '\\{Printable(c)}' in a string";
        return false;
    }

    private bool ParseList(string key, out XlValue? value, out string? error, out ConfigPosition errorAt)
    {
        var at = Here;
        Advance(); // '['
        var items = new List<XlValue>();
        value = null;
        bool needComma = false;
        while (true)
        {
            SkipBlanksAndNewlines();
            errorAt = Here;
            if (AtEnd)
            {
                error = $"unterminated list (opened at line {at.Line}, column {at.Column})";
                errorAt = at;
                return false;
            }
            if (Current == ']')
            {
                Advance();
                break;
            }
            if (Current == ',')
            {
                if (!needComma)
                {
                    error = "expected a list item before ','";
                    return false;
                }
                Advance();
                needComma = false;
                continue;
            }
            if (needComma)
            {
                error = $"expected ',' or ']' in the list, found {Describe(_pos)}";
                return false;
            }
            if (Current == ';')
            {
                error = "expected a list item or ']', found ';'";
                return false;
            }
            if (!ParseValue(key, inList: true, out var item, out error, out errorAt))
                return false;
            items.Add(item!);
            needComma = true;
        }
        value = new XlList(at, items);
        error = null;
        errorAt = at;
        return true;
    }

    /// <summary>Spaces, tabs, carriage returns, comments and backslash-newline continuations; stops at a newline.</summary>
    private void SkipBlanks()
    {
        while (!AtEnd)
        {
            char c = Current;
            if (c is ' ' or '\t' or '\r')
            {
                Advance();
            }
            else if (c == '#')
            {
                while (!AtEnd && Current != '\n')
                    Advance();
            }
            else if (c == '\\' && IsContinuation(_pos + 1))
            {
                Advance();
                while (Current != '\n')
                    Advance();
                Advance();
            }
            else if (char.IsControl(c) && c != '\n')
            {
                // Reported once, then treated as a blank so one stray byte gives one error.
                _diagnostics.Add(new(Here, true, $"unexpected control character U+{(int)c:X4}"));
                Advance();
            }
            else
            {
                return;
            }
        }
    }

    private void SkipBlanksAndNewlines()
    {
        while (true)
        {
            SkipBlanks();
            if (AtEnd || Current != '\n')
                return;
            Advance();
        }
    }

    private bool IsContinuation(int at)
    {
        while (at < _text.Length && _text[at] is ' ' or '\t' or '\r')
            at++;
        return at < _text.Length && _text[at] == '\n';
    }

    private void SkipToNextLine()
    {
        while (!AtEnd && Current != '\n')
            Advance();
    }

    private static bool IsKeyStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsKeyPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static string Kind(XlValue value) => value switch
    {
        XlList => "a list",
        XlNumber => "a number",
        _ => "a string",
    };

    private string Describe(int at) => at >= _text.Length ? "the end of the file"
        : _text[at] == '\n' ? "the end of the line"
        : $"'{Printable(_text[at])}'";

    private static string Printable(char c) => char.IsControl(c) || char.IsSurrogate(c) ? $"U+{(int)c:X4}" : c.ToString();

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
