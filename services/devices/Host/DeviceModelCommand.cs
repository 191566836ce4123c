using Micro.Kernel.Ioreq;
using Micro.Kernel.Supervision;

namespace Micro.Devices.Host;

/// <summary>
/// How the core's supervisor runs a device model: <c>micro-devices KIND {socket} DOMID OPTIONS</c> as
/// its own uid, served by <paramref name="link"/>. The program is found next to the caller's own
/// binaries, where every project that references this one gets a copy.
/// </summary>
public static class DeviceModelCommand
{
    public static string Dll
    {
        get
        {
            string dll = Path.Combine(AppContext.BaseDirectory, "micro-devices.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: reference services/devices/Micro.Devices.csproj");
        }
    }

    public static string Dotnet => Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    public static ServiceSpec Spec(string kind, int domid, uint uid, DeviceModelLink link, params string[] options)
        => new($"{kind}-d{domid}", Dotnet, [Dll, kind, "{socket}", domid.ToString(), .. options], uid, uid, link);
}
