using System.Net;
using System.Net.Sockets;
using WireMock.Server;
using WireMock.Settings;

namespace Interviews.Tests.Support;

/// <summary>Servers that tests start listen on 127.0.0.1 only, on a free port.</summary>
public static class Loopback
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A WireMock server on 127.0.0.1 (WireMock's default binds every interface).</summary>
    public static WireMockServer WireMock() =>
        WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{FreePort()}"] });
}
