using System.Text;
using Micro.Toolstack.Config;

namespace Micro.Toolstack.Tests;

public class ConfigSyntaxTests
{
    internal static XlConfigResult Parse(string text, params string[] overrides) =>
        XlConfig.Parse("t.cfg", Encoding.UTF8.GetBytes(text), overrides);

    internal static DomainConfig Ok(string text, params string[] overrides)
    {
        var result = Parse(text, overrides);
        Assert.True(result.Ok, string.Join("\n", result.Diagnostics));
        return result.Config!;
    }

    internal static ConfigDiagnostic Error(string text)
    {
        var result = Parse(text);
        Assert.False(result.Ok);
        return Assert.Single(result.Diagnostics, d => d.IsError);
    }

    [Fact]
    public void Strings_in_both_quote_styles_with_escapes()
    {
        var config = Ok("name = \"a\\\"b\"\nkernel = 'k\\'\\n\\t\\x41\\101\\\\'\n");
        Assert.Equal("a\"b", config.Name);
        Assert.Equal("k'\n\tAA\\", config.Kernel);
    }

    [Fact]
    public void Numbers_decimal_and_hex_and_numeric_strings()
    {
        var config = Ok("name='x'\nmemory = 0x40\nmaxmem=\"128\"\nvcpus=2");
        Assert.Equal(64u, config.Memory);
        Assert.Equal(128u, config.Maxmem);
        Assert.Equal(2u, config.Vcpus);
    }

    [Fact]
    public void Lists_span_lines_with_comments_and_a_trailing_comma()
    {
        var config = Ok("name='x'\ndisk = [ # first\n  '/a,raw,xvda,rw',\n\n  '/b,,xvdb', # second\n]\n");
        Assert.Equal(["/a", "/b"], config.Disk.Select(d => d.Target));
    }

    [Fact]
    public void Semicolons_separate_settings_and_comments_end_lines()
    {
        var config = Ok("name='x'; memory=64 ; vcpus=1 # memory=1\n# vcpus=9\n");
        Assert.Equal(64u, config.Memory);
        Assert.Equal(1u, config.Vcpus);
    }

    [Fact]
    public void Plus_equals_appends_to_lists_and_concatenates_strings()
    {
        var config = Ok("name='x'\nvif=['mac=00:16:3e:00:00:01']\nvif += ['bridge=br0']\nextra='a'\nextra+=' b'\nserial += 'pty'\n");
        Assert.Equal(2, config.Vif.Count);
        Assert.Equal("br0", config.Vif[1].Bridge);
        Assert.Equal("a b", config.Cmdline);
        Assert.Equal(["pty"], config.Serial);
    }

    [Fact]
    public void Backslash_newline_continues_a_line()
    {
        var config = Ok("name = \\\n  'x'\nmemory \\   \n = 96\n");
        Assert.Equal("x", config.Name);
        Assert.Equal(96u, config.Memory);
    }

    [Fact]
    public void A_later_setting_replaces_an_earlier_one_with_a_warning()
    {
        var result = Parse("name='a'\nname='b'\n");
        Assert.Equal("b", result.Config!.Name);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal("t.cfg:2:1: warning: 'name' is set again; the value from line 1 is replaced", warning.ToString());
    }

    [Fact]
    public void Command_line_overrides_come_after_the_file()
    {
        var config = Ok("name='a'\nmemory=64\n", "memory=128", "vcpus=2");
        Assert.Equal(128u, config.Memory);
        Assert.Equal(2u, config.Vcpus);
    }

    [Fact]
    public void Crlf_line_endings_and_a_bom_parse()
    {
        var config = Ok("\uFEFFname = 'x'\r\nmemory = 64\r\n");
        Assert.Equal(64u, config.Memory);
    }

    [Theory]
    [InlineData("name='x'\nmemory = \n", "t.cfg:2:10: error: 'memory' has no value")]
    [InlineData("name='x'\ntype = hvm\n", "t.cfg:2:8: error: expected a value (a quoted string, a number or a list), found the bare word 'hvm'; strings need quotes")]
    [InlineData("name='x\n", "t.cfg:1:6: error: unterminated string (opened at column 6 with ')")]
    [InlineData("name=\"x\\q\"\n", "t.cfg:1:8: error: unknown escape '\\q' in a string")]
    [InlineData("name=\"x\\x4\"\n", "t.cfg:1:8: error: '\\x' must be followed by two hexadecimal digits")]
    [InlineData("name='x'\nmemory 64\n", "t.cfg:2:8: error: expected '=' or '+=' after 'memory', found '6'")]
    [InlineData("name='x'\nmemory = 64 vcpus=1\n", "t.cfg:2:13: error: expected the end of the line or ';' after the value of 'memory', found 'v'")]
    [InlineData("name='x'\ndisk = [ 'a' 'b' ]\n", "t.cfg:2:14: error: expected ',' or ']' in the list, found '''")]
    [InlineData("name='x'\ndisk = [ ['a'] ]\n", "t.cfg:2:10: error: lists cannot be nested")]
    [InlineData("name='x'\ndisk = [ 'a',\n", "t.cfg:2:8: error: unterminated list (opened at line 2, column 8)")]
    [InlineData("name='x'\ndisk = [ , 'a' ]\n", "t.cfg:2:10: error: expected a list item before ','")]
    [InlineData("name='x'\nmemory = 12ab\n", "t.cfg:2:10: error: malformed number '12ab'")]
    [InlineData("name='x'\nmemory = 0x\n", "t.cfg:2:10: error: '0x' must be followed by hexadecimal digits")]
    [InlineData("name='x'\nmemory = 1.\n", "t.cfg:2:10: error: malformed number '1.': a digit must follow '.'")]
    [InlineData("name='x'\n=3\n", "t.cfg:2:1: error: expected a key (letters, digits, '_'), found '='")]
    [InlineData("name='x'\nmemory = 1\nmemory += [2]\n", "t.cfg:3:1: error: '+=' cannot add a list to a number (set at line 2)")]
    [InlineData("name='x'\nmemory = 1\nmemory += 2\n", "t.cfg:3:1: error: '+=' cannot add a number to a number (set at line 2)")]
    [InlineData("name='x\u0001'\n", "t.cfg:1:8: error: control character U+0001 in a string (write it as an escape)")]
    [InlineData("name='x'\n\u0001\n", "t.cfg:2:1: error: unexpected control character U+0001")]
    public void Syntax_errors_name_file_line_column_and_the_problem(string text, string expected) =>
        Assert.Equal(expected, Error(text).ToString());

    [Fact]
    public void Several_errors_are_reported_not_just_the_first()
    {
        var result = Parse("name='x'\nmemory = \nvcpus = hvm\n");
        Assert.Equal([2, 3], result.Diagnostics.Where(d => d.IsError).Select(d => d.Position.Line));
    }

    [Fact]
    public void Invalid_utf8_is_rejected_with_its_position()
    {
        var result = XlConfig.Parse("t.cfg", [.. "name='x'\nkernel='"u8, 0xC3, 0x28, .. "'\n"u8]);
        Assert.Equal("t.cfg:2:9: error: invalid UTF-8 (byte 0xc3)", Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void Nul_bytes_are_rejected()
    {
        var result = XlConfig.Parse("t.cfg", [.. "name='x'\n"u8, 0, .. "memory=3\n"u8]);
        Assert.False(result.Ok);
        Assert.Equal("t.cfg:2:1: error: unexpected control character U+0000", result.Diagnostics[0].ToString());
    }

    [Fact]
    public void Oversized_input_is_rejected_before_parsing()
    {
        var big = new byte[XlSyntax.MaxFileBytes + 1];
        Array.Fill(big, (byte)'#');
        var result = XlConfig.Parse("t.cfg", big);
        Assert.Equal($"t.cfg:1:1: error: the file is {big.Length} bytes; the limit is {XlSyntax.MaxFileBytes} bytes", Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void A_huge_line_parses_within_the_limit()
    {
        string longString = new('a', 900_000);
        var config = Ok($"name='x'\ncmdline='{longString}'\n");
        Assert.Equal(longString, config.Cmdline);
        Assert.False(Parse("name='x'\nmemory=" + new string('9', 500_000) + "\n").Ok);
    }

    [Fact]
    public void Garbage_never_crashes_and_errors_always_have_positions()
    {
        var random = new Random(1234);
        string seed = File.ReadAllText(Path.Combine(Micro.Testing.Requirements.RepoRoot(), "examples", "hello.cfg"));
        byte[] alphabet = "= +[]'\",;#\\\nname memory0x19.\t\r\u0000\u00ff"u8.ToArray();
        for (int round = 0; round < 3000; round++)
        {
            byte[] bytes = round % 2 == 0 ? Encoding.UTF8.GetBytes(seed) : new byte[random.Next(0, 200)];
            if (round % 2 == 0)
            {
                for (int k = random.Next(1, 8); k > 0; k--)
                    bytes[random.Next(bytes.Length)] = random.Next(3) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            }
            else
            {
                for (int i = 0; i < bytes.Length; i++)
                    bytes[i] = random.Next(4) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            }
            var result = XlConfig.Parse("g.cfg", bytes);
            Assert.Equal(result.Ok, !result.Diagnostics.Any(d => d.IsError));
            Assert.All(result.Diagnostics, d => Assert.True(d.Position.Line >= 1 && d.Position.Column >= 1, d.ToString()));
        }
    }
}
