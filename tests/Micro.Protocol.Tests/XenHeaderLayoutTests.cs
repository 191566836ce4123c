using System.Globalization;
using System.Runtime.InteropServices;
using Micro.Protocol.Xen;
using Micro.Testing;

namespace Micro.Protocol.Tests;

/// <summary>
/// The guest ABI structs against Xen's own public headers (libxen-dev's xen/io/xs_wire.h and xen/io/console.h):
/// a C program compiled here prints offsetof/sizeof and the constants, and every one must match ours.
/// </summary>
public sealed class XenHeaderLayoutTests
{
    private const string Probe = """
        #include <stddef.h>
        #include <stdint.h>
        #include <stdio.h>
        #include <xen/io/xs_wire.h>
        #include <xen/io/console.h>
        #define OFF(s, f) printf("%s.%s %zu\n", #s, #f, offsetof(struct s, f))
        #define VAL(c) printf("%s %lld\n", #c, (long long)(c))
        int main(void)
        {
            OFF(xenstore_domain_interface, req); OFF(xenstore_domain_interface, rsp);
            OFF(xenstore_domain_interface, req_cons); OFF(xenstore_domain_interface, req_prod);
            OFF(xenstore_domain_interface, rsp_cons); OFF(xenstore_domain_interface, rsp_prod);
            OFF(xenstore_domain_interface, server_features); OFF(xenstore_domain_interface, connection);
            OFF(xenstore_domain_interface, error);
            VAL(sizeof(struct xenstore_domain_interface));
            VAL(XENSTORE_RING_SIZE); VAL(XENSTORE_PAYLOAD_MAX);
            VAL(XENSTORE_SERVER_FEATURE_RECONNECTION); VAL(XENSTORE_SERVER_FEATURE_ERROR);
            VAL(XENSTORE_CONNECTED); VAL(XENSTORE_RECONNECT);
            VAL(XENSTORE_ERROR_NONE); VAL(XENSTORE_ERROR_COMM); VAL(XENSTORE_ERROR_RINGIDX); VAL(XENSTORE_ERROR_PROTO);
            OFF(xencons_interface, in); OFF(xencons_interface, out);
            OFF(xencons_interface, in_cons); OFF(xencons_interface, in_prod);
            OFF(xencons_interface, out_cons); OFF(xencons_interface, out_prod);
            VAL(sizeof(((struct xencons_interface *)0)->in)); VAL(sizeof(((struct xencons_interface *)0)->out));
            VAL(sizeof(struct xencons_interface));
        #ifdef XENCONSOLE_CONNECTED
            OFF(xencons_interface, connection); VAL(XENCONSOLE_CONNECTED); VAL(XENCONSOLE_DISCONNECTED);
        #endif
            return 0;
        }
        """;

    private static readonly Lazy<Dictionary<string, long>> Header = new(CompileAndRun);

    private static long H(string name) => Header.Value.TryGetValue(name, out long v) ? v : throw new KeyNotFoundException($"the probe printed no {name}");

    private static void Same(string name, long ours)
    {
        long header = H(name);
        Assert.True(header == ours, $"{name}: Xen's header says {header}, ours is {ours}");
    }

    private static long Offset<T>(string field) => Marshal.OffsetOf<T>(field);

    [Fact]
    public void XenStoreInterfaceMatchesXsWireH()
    {
        foreach (string f in new[] { "req", "rsp", "req_cons", "req_prod", "rsp_cons", "rsp_prod", "server_features", "connection", "error" })
            Same($"xenstore_domain_interface.{f}", Offset<XenStoreInterface>(f));
        Same("sizeof(struct xenstore_domain_interface)", XenStoreInterface.SizeOf);
        Same("sizeof(struct xenstore_domain_interface)", Marshal.SizeOf<XenStoreInterface>());
        Same("XENSTORE_RING_SIZE", XenStoreInterface.XENSTORE_RING_SIZE);
        Same("XENSTORE_PAYLOAD_MAX", XenStoreInterface.XENSTORE_PAYLOAD_MAX);
        Same("XENSTORE_SERVER_FEATURE_RECONNECTION", XenStoreInterface.XENSTORE_SERVER_FEATURE_RECONNECTION);
        Same("XENSTORE_SERVER_FEATURE_ERROR", XenStoreInterface.XENSTORE_SERVER_FEATURE_ERROR);
        Same("XENSTORE_CONNECTED", XenStoreInterface.XENSTORE_CONNECTED);
        Same("XENSTORE_RECONNECT", XenStoreInterface.XENSTORE_RECONNECT);
        Same("XENSTORE_ERROR_NONE", XenStoreInterface.XENSTORE_ERROR_NONE);
        Same("XENSTORE_ERROR_COMM", XenStoreInterface.XENSTORE_ERROR_COMM);
        Same("XENSTORE_ERROR_RINGIDX", XenStoreInterface.XENSTORE_ERROR_RINGIDX);
        Same("XENSTORE_ERROR_PROTO", XenStoreInterface.XENSTORE_ERROR_PROTO);
    }

    [Fact]
    public void XenConsInterfaceMatchesConsoleH()
    {
        foreach (string f in new[] { "in", "out", "in_cons", "in_prod", "out_cons", "out_prod" })
            Same($"xencons_interface.{f}", Offset<XenConsInterface>(f));
        Same("sizeof(((struct xencons_interface *)0)->in)", XenConsInterface.InSize);
        Same("sizeof(((struct xencons_interface *)0)->out)", XenConsInterface.OutSize);
        if (Header.Value.ContainsKey("xencons_interface.connection"))
        {
            Same("xencons_interface.connection", Offset<XenConsInterface>(nameof(XenConsInterface.connection)));
            Same("sizeof(struct xencons_interface)", XenConsInterface.SizeOf);
            Same("XENCONSOLE_CONNECTED", XenConsInterface.XENCONSOLE_CONNECTED);
            Same("XENCONSOLE_DISCONNECTED", XenConsInterface.XENCONSOLE_DISCONNECTED);
        }
        else
        {
            // Xen 4.17's header ends at out_prod; newer ones append `uint8_t connection` right there.
            Same("sizeof(struct xencons_interface)", Offset<XenConsInterface>(nameof(XenConsInterface.connection)));
        }
    }

    private static Dictionary<string, long> CompileAndRun()
    {
        string gcc = Requirements.Tool("gcc");
        if (!File.Exists("/usr/include/xen/io/xs_wire.h"))
            throw new InvalidOperationException("Xen's public headers are missing: install libxen-dev (run ci/setup)");
        string dir = Directory.CreateTempSubdirectory("micro-xen-layout-").FullName;
        try
        {
            string source = Path.Combine(dir, "probe.c"), exe = Path.Combine(dir, "probe");
            File.WriteAllText(source, Probe);
            using (var cc = new ChildProcess(gcc, ["-std=c11", "-Wall", "-Werror", "-o", exe, source]))
            {
                int exit = cc.WaitForExit(TimeSpan.FromMinutes(2));
                if (exit != 0)
                    throw new InvalidOperationException($"gcc failed ({exit}):\n{cc.Stderr}");
            }
            using var probe = new ChildProcess(exe, []);
            if (probe.WaitForExit(TimeSpan.FromMinutes(1)) != 0)
                throw new InvalidOperationException($"the probe failed:\n{probe.Stderr}");
            var values = new Dictionary<string, long>();
            foreach (string line in probe.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int space = line.LastIndexOf(' ');
                values[line[..space]] = long.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
            }
            return values;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
