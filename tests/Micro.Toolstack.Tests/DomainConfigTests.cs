using Micro.Testing;
using Micro.Toolstack.Config;
using static Micro.Toolstack.Tests.ConfigSyntaxTests;

namespace Micro.Toolstack.Tests;

public class DomainConfigTests
{
    [Theory]
    [InlineData("xlexample.hvm", "example.hvm", "hvm")]
    [InlineData("xlexample.pvlinux", "example.pvlinux", "pv")]
    [InlineData("xlexample.pvhlinux", "example.pvhlinux", "pvh")]
    public void Xens_example_configs_parse(string file, string name, string type)
    {
        string path = Path.Combine("/etc/xen", file);
        Assert.True(File.Exists(path), $"{path} is missing: install xen-utils-common (ci/setup)");
        var result = XlConfig.Load(path);
        Assert.True(result.Ok, string.Join("\n", result.Diagnostics));
        Assert.Equal(name, result.Config!.Name);
        Assert.Equal(type, result.Config.Type);
        Assert.Equal("xvda", Assert.Single(result.Config.Disk).Vdev);
        Assert.Single(result.Config.Vif);
        Assert.All(result.Diagnostics, d => Assert.False(d.IsError));
    }

    [Fact]
    public void The_shipped_example_parses_without_warnings()
    {
        var result = XlConfig.Load(Path.Combine(Requirements.RepoRoot(), "examples", "hello.cfg"));
        Assert.True(result.Ok, string.Join("\n", result.Diagnostics));
        Assert.Empty(result.Diagnostics);
        Assert.Equal("hello", result.Config!.BuiltinKernel);
    }

    [Fact]
    public void Defaults_are_xls()
    {
        var config = Ok("name='x'");
        Assert.Equal(("pv", 32u, 32u, 1u), (config.Type, config.Memory, config.Maxmem, config.Vcpus));
        Assert.Equal(("destroy", "restart", "destroy"), (config.OnPoweroff, config.OnReboot, config.OnCrash));
        Assert.Null(config.Cmdline);
    }

    [Fact]
    public void Cmdline_is_built_from_root_and_extra_unless_given()
    {
        Assert.Equal("root=/dev/xvda1 console=hvc0", Ok("name='x'\nroot='/dev/xvda1'\nextra='console=hvc0'").Cmdline);
        var result = Parse("name='x'\ncmdline='a'\nextra='b'");
        Assert.Equal("a", result.Config!.Cmdline);
        Assert.Contains(result.Diagnostics, d => !d.IsError && d.Message.Contains("'root' and 'extra' are ignored", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_and_unused_keys_warn()
    {
        var result = Parse("name='x'\nfrobnicate=1\nsdl=1\n");
        Assert.True(result.Ok);
        Assert.Equal(["t.cfg:2:1: warning: unknown key 'frobnicate' (ignored)", "t.cfg:3:1: warning: 'sdl' is an xl key that Micro does not use (ignored)"],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Uuid_and_legacy_builder()
    {
        var config = Ok("name='x'\nuuid='6A0B1C2D-3E4F-5061-7283-94A5B6C7D8E9'\nbuilder='hvm'");
        Assert.Equal("6a0b1c2d-3e4f-5061-7283-94a5b6c7d8e9", config.Uuid);
        Assert.Equal("hvm", config.Type);
    }

    [Fact]
    public void Serial_takes_a_string_or_a_list()
    {
        Assert.Equal(["pty"], Ok("name='x'\nserial='pty'").Serial);
        Assert.Equal(["pty", "file:/tmp/s"], Ok("name='x'\nserial=['pty','file:/tmp/s']").Serial);
    }

    [Theory]
    [InlineData("memory=1", "t.cfg:1:1: error: no 'name': every domain needs one")]
    [InlineData("name=''", "t.cfg:1:6: error: 'name' is empty")]
    [InlineData("name='123'", "t.cfg:1:6: error: 'name' is all digits ('123'), which reads as a domid")]
    [InlineData("name=3", "t.cfg:1:6: error: 'name' must be a quoted string")]
    [InlineData("name='x'\ntype='xen'", "t.cfg:2:6: error: unknown type 'xen' (pv, pvh, hvm)")]
    [InlineData("name='x'\ntype='pv'\nbuilder='hvm'", "t.cfg:3:9: error: builder 'hvm' contradicts type 'pv'")]
    [InlineData("name='x'\nmemory=0", "t.cfg:2:8: error: 'memory' is 0; it must be from 1 to 1048576")]
    [InlineData("name='x'\nmemory=1.5", "t.cfg:2:8: error: 'memory' must be a whole number, not '1.5'")]
    [InlineData("name='x'\nmemory='lots'", "t.cfg:2:8: error: 'memory' must be a whole number, not 'lots'")]
    [InlineData("name='x'\nmemory=[1]", "t.cfg:2:8: error: 'memory' must be a number, not a list")]
    [InlineData("name='x'\nmemory=99999999999999999999999", "t.cfg:2:8: error: 'memory' must be a whole number, not '99999999999999999999999'")]
    [InlineData("name='x'\nmemory=64\nmaxmem=32", "t.cfg:3:8: error: maxmem (32 MiB) is less than memory (64 MiB)")]
    [InlineData("name='x'\nvcpus=129", "t.cfg:2:7: error: 'vcpus' is 129; it must be from 1 to 128")]
    [InlineData("name='x'\nvcpus=4\nmaxvcpus=2", "t.cfg:3:10: error: maxvcpus (2) is less than vcpus (4)")]
    [InlineData("name='x'\nkernel=''", "t.cfg:2:8: error: 'kernel' is empty")]
    [InlineData("name='x'\non_crash='explode'", "t.cfg:2:10: error: unknown action 'explode' for on_crash (destroy, restart, rename-restart, preserve, coredump-destroy, coredump-restart, soft-reset)")]
    [InlineData("name='x'\nuuid='1234'", "t.cfg:2:6: error: uuid '1234' is not of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")]
    [InlineData("name='x'\nbios='coreboot'", "t.cfg:2:6: error: unknown bios 'coreboot' (rombios, seabios, ovmf)")]
    [InlineData("name='x'\nsdl=2", "t.cfg:2:5: error: 'sdl' is a boolean: 0 or 1")]
    [InlineData("name='x'\nserial=[1]", "t.cfg:2:9: error: 'serial' entries must be strings")]
    [InlineData("name='x'\ndisk='/a,,xvda'", "t.cfg:2:6: error: 'disk' must be a list of strings, e.g. disk = [ '...' ]")]
    [InlineData("name='x'\ndisk=['/a,,xvda', 3]", "t.cfg:2:19: error: disk entry 2 must be a string")]
    [InlineData("name='x'\nvif=['mac=01:00:00:00:00:00']", "t.cfg:2:6: error: vif entry 1 'mac=01:00:00:00:00:00': mac '01:00:00:00:00:00' is a multicast address")]
    public void Key_errors_name_the_value_position(string text, string expected) =>
        Assert.Equal(expected, Error(text).ToString());

    [Fact]
    public void On_actions_that_micro_approximates_warn()
    {
        var result = Parse("name='x'\non_crash='coredump-restart'");
        Assert.Equal("coredump-restart", result.Config!.OnCrash);
        Assert.Equal("t.cfg:2:10: warning: on_crash 'coredump-restart' acts as 'restart' here", Assert.Single(result.Diagnostics).ToString());
    }
}
