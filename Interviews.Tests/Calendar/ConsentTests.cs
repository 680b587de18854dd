using System.Net;
using System.Text;
using Interviews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Interviews.Tests.Calendar;

/// <summary>OAuth consent with PKCE over real HTTP against fake Google and Microsoft identity endpoints.</summary>
public sealed class ConsentTests
{
    [Theory]
    [InlineData("google")]
    [InlineData("outlook")]
    public async Task Consent_round_trip_stores_the_tokens_encrypted_and_lists_the_connection(string provider)
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, provider);

        var connection = Assert.Single(await host.ConnectionsAsync(alice))!;
        Assert.Equal(provider, connection["provider"]!.GetValue<string>());
        Assert.Equal(host.Fake(provider).Email, connection["accountEmail"]!.GetValue<string>());
        Assert.Equal("connected", connection["status"]!.GetValue<string>());

        // At rest: neither token's text is in the database file (documents, WAL and all).
        var stored = ReadDatabase(host.Factory);
        Assert.Contains("calendar-connection:" + provider, stored, StringComparison.Ordinal);
        Assert.NotEmpty(host.Fake(provider).IssuedTokens);
        foreach (var token in host.Fake(provider).IssuedTokens)
        {
            Assert.DoesNotContain(token, stored, StringComparison.Ordinal);
        }

        // Nor in any answer.
        var listed = connection.ToJsonString();
        Assert.All(host.Fake(provider).IssuedTokens, t => Assert.DoesNotContain(t, listed, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_replayed_state_is_a_400_and_stores_nothing_more()
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        string? used = null;
        var first = await host.ConsentAsync(alice, "google", s => used = s);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);

        using var browser = host.Browser();
        var code = host.Google.IssueCode("whatever");
        var replay = await browser.GetAsync($"/api/calendar/oauth/google/callback?code={code}&state={Uri.EscapeDataString(used!)}", TestContext.Current.CancellationToken);
        var problem = await replay.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid-state", problem["code"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("forged-state")]
    [InlineData("")]
    public async Task A_bad_state_is_a_400_and_nothing_is_stored(string forged)
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        var answer = await host.ConsentAsync(alice, "outlook", _ => forged);
        await answer.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Empty(await host.ConnectionsAsync(alice));
        Assert.DoesNotContain(host.Microsoft.Requests, r => r.Contains("/token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_state_expires_after_ten_minutes()
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        var answer = await host.ConsentAsync(alice, "google", s =>
        {
            host.Factory.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
            return s;
        });
        await answer.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Empty(await host.ConnectionsAsync(alice));
    }

    [Fact]
    public async Task A_state_made_for_google_does_not_open_the_outlook_callback()
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        var start = await (await alice.PostAsync("/api/calendar/connections/google", null, TestContext.Current.CancellationToken)).JsonAsync();
        var state = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(start["authorizationUrl"]!.GetValue<string>()).Query)["state"].ToString();
        using var browser = host.Browser();
        var answer = await browser.GetAsync($"/api/calendar/oauth/outlook/callback?code=x&state={Uri.EscapeDataString(state)}", TestContext.Current.CancellationToken);
        await answer.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_declined_consent_redirects_with_denied_and_stores_nothing()
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        var start = await (await alice.PostAsync("/api/calendar/connections/google", null, TestContext.Current.CancellationToken)).JsonAsync();
        var state = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(start["authorizationUrl"]!.GetValue<string>()).Query)["state"].ToString();
        using var browser = host.Browser();
        var answer = await browser.GetAsync($"/api/calendar/oauth/google/callback?error=access_denied&state={Uri.EscapeDataString(state)}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.EndsWith("outcome=denied", answer.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Empty(await host.ConnectionsAsync(alice));
    }

    [Fact]
    public async Task Connections_are_per_user_and_disconnecting_revokes_and_deletes_the_tokens()
    {
        using var host = new CalendarTestHost();
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        using var bob = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, "google");
        Assert.Empty(await host.ConnectionsAsync(bob));
        await (await bob.DeleteAsync("/api/calendar/connections/google", TestContext.Current.CancellationToken)).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Single(await host.ConnectionsAsync(alice));
        await (await alice.PostAsync("/api/calendar/connections/yahoo", null, TestContext.Current.CancellationToken)).AssertProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync("/api/calendar/connections/google", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal([host.Google.RefreshToken], host.Google.Revoked);
        Assert.Empty(await host.ConnectionsAsync(alice));
    }

    [Fact]
    public async Task Tokens_never_appear_in_logs()
    {
        using var host = new CalendarTestHost(services => services.AddFakeLogging());
        using var alice = host.Factory.ClientFor(LocalHostFactory.NewUser());
        await host.ConnectAsync(alice, "google");
        await host.ConnectAsync(alice, "outlook");
        await alice.ScheduleAsync(host.Factory);
        await host.PumpAsync();
        host.Factory.Clock.Advance(TimeSpan.FromHours(2)); // forces a refresh
        await host.ReconcileAsync();
        host.Google.GrantRevoked = true;
        host.Factory.Clock.Advance(TimeSpan.FromHours(2));
        await host.ReconcileAsync();

        var records = host.Factory.Services.GetFakeLogCollector().GetSnapshot();
        Assert.NotEmpty(records);
        var secrets = host.Google.IssuedTokens.Concat(host.Microsoft.IssuedTokens).Append("google-client-secret").Append("outlook-client-secret").ToList();
        Assert.True(host.Google.Refreshes + host.Microsoft.Refreshes >= 2);
        foreach (var record in records)
        {
            var text = new StringBuilder(record.Message).Append(record.Exception).AppendJoin('|', record.StructuredState?.Select(s => s.Value) ?? []).AppendJoin('|', record.Scopes.Select(s => s?.ToString())).ToString();
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
    }

    internal static string ReadDatabase(LocalHostFactory factory)
    {
        var text = new StringBuilder();
        foreach (var file in new[] { factory.DatabasePath, factory.DatabasePath + "-wal" }.Where(File.Exists))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            text.Append(reader.ReadToEnd());
        }

        return text.ToString();
    }
}
