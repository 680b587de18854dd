using Interviews.Functions.Storage;

namespace Interviews.LocalHost;

/// <summary>
/// A developer's view of what requests cost on Cosmos DB: when <c>LocalHost:RequestChargeHeader</c> is
/// true, every response carries <see cref="Header"/>, the sum of the request units of the store calls
/// made for it (as Cosmos DB reports its own in <c>x-ms-request-charge</c>). Off by default; the
/// Functions app never has it (its metric <c>interviews.cosmos.request_charge</c> records every charge).
/// </summary>
public static class RequestChargeHeader
{
    public const string Setting = "LocalHost:RequestChargeHeader";

    public const string Header = "x-request-charge";

    public static void UseIfConfigured(WebApplication app)
    {
        if (!app.Configuration.GetValue(Setting, false))
        {
            return;
        }

        app.Use(async (context, next) =>
        {
            var charge = RequestCharges.Begin();
            context.Response.OnStarting(() =>
            {
                context.Response.Headers[Header] = charge.Value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
                return Task.CompletedTask;
            });
            await next(context);
        });
    }
}
