using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
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

    /// <summary>A quiet Kestrel app that listens as <paramref name="listen"/> says; by default on one plain HTTP port of 127.0.0.1 that is free.</summary>
    public static WebApplicationBuilder WebApplication(Action<KestrelServerOptions>? listen = null)
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(listen ?? (kestrel => kestrel.Listen(IPAddress.Loopback, 0)));
        return builder;
    }
}
