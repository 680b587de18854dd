using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.WebUtilities;

namespace Interviews.Functions.Calendar;

/// <summary>Tokens a provider's token endpoint answered, and the account they are for (from the id token).</summary>
public sealed record TokenGrant(OAuthTokens Tokens, DateTimeOffset ExpiresAt, string? AccountEmail);

/// <summary>A provider's call failed. <see cref="RetryAfter"/> is what the provider asked for (429/503), if anything.</summary>
public sealed class CalendarApiException(string provider, int status, string reason, TimeSpan? retryAfter = null)
    : Exception($"{CalendarProviders.DisplayName(provider)} answered {status}: {reason}")
{
    public string Provider => provider;

    public int Status => status;

    public string Reason => reason;

    public TimeSpan? RetryAfter => retryAfter;

    /// <summary>Worth retrying later: throttled, or the provider's own failure.</summary>
    public bool IsTransient => status is 429 or >= 500 or 0;

    public static async Task<CalendarApiException> FromAsync(string provider, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // The error body names the failure (e.g. "rateLimitExceeded"); keep it short, it goes to logs and to lastError.
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var reason = body.Length > 200 ? body[..200] : body;
        return new CalendarApiException(provider, (int)response.StatusCode, reason.Length == 0 ? response.ReasonPhrase ?? "" : reason, RetryAfterOf(response.Headers.RetryAfter, null));
    }

    public static TimeSpan? RetryAfterOf(System.Net.Http.Headers.RetryConditionHeaderValue? header, DateTimeOffset? now) =>
        header?.Delta ?? (header?.Date is { } date ? date - (now ?? DateTimeOffset.UtcNow) : null);
}

/// <summary>The provider refused the refresh token (<c>invalid_grant</c>): the user must consent again.</summary>
public sealed class GrantRevokedException(string provider) : Exception($"{CalendarProviders.DisplayName(provider)} refused the grant.")
{
    public string Provider => provider;
}

/// <summary>
/// OAuth 2.0 authorization code with PKCE (RFC 7636, S256) against Google and the Microsoft identity
/// platform: the authorization URL, the code exchange, refresh and revocation. A typed HttpClient; every
/// endpoint comes from <see cref="CalendarSettings"/>.
/// </summary>
public sealed class CalendarOAuth(HttpClient http, CalendarSettings settings, TimeProvider time)
{
    public static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Challenge(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public Uri RedirectUri(string provider) => new($"{settings.OAuthRedirectBaseUrl.TrimEnd('/')}/api/calendar/oauth/{provider}/callback");

    public Uri AuthorizationUrl(string provider, string state, string verifier)
    {
        var p = settings.For(provider);
        var query = new Dictionary<string, string?>
        {
            ["client_id"] = p.ClientId,
            ["redirect_uri"] = RedirectUri(provider).AbsoluteUri,
            ["response_type"] = "code",
            ["scope"] = p.Scopes,
            ["state"] = state,
            ["code_challenge"] = Challenge(verifier),
            ["code_challenge_method"] = "S256",
        };
        if (provider == CalendarProviders.Google)
        {
            // A refresh token is only issued with offline access, and again only when consent is shown.
            query["access_type"] = "offline";
            query["prompt"] = "consent";
        }
        else
        {
            query["response_mode"] = "query";
        }

        return new Uri(QueryHelpers.AddQueryString(p.AuthorizationUri.AbsoluteUri, query));
    }

    public Task<TokenGrant> ExchangeCodeAsync(string provider, string code, string verifier, CancellationToken cancellationToken) =>
        RequestTokensAsync(provider, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = RedirectUri(provider).AbsoluteUri,
            ["code_verifier"] = verifier,
        }, null, cancellationToken);

    public Task<TokenGrant> RefreshAsync(string provider, string refreshToken, CancellationToken cancellationToken) =>
        RequestTokensAsync(provider, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        }, refreshToken, cancellationToken);

    /// <summary>
    /// Revokes the grant at the provider, best effort. Google has a revocation endpoint (RFC 7009); the
    /// Microsoft identity platform has none for a single grant, so for Outlook the tokens are only deleted.
    /// </summary>
    public async Task<bool> RevokeAsync(string provider, OAuthTokens tokens, CancellationToken cancellationToken)
    {
        if (provider != CalendarProviders.Google)
        {
            return false;
        }

        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = tokens.RefreshToken ?? tokens.AccessToken });
        using var response = await http.PostAsync(new Uri(settings.Google.RevocationEndpoint), content, cancellationToken);
        return response.IsSuccessStatusCode;
    }

    private async Task<TokenGrant> RequestTokensAsync(string provider, Dictionary<string, string> form, string? previousRefreshToken, CancellationToken cancellationToken)
    {
        var p = settings.For(provider);
        form["client_id"] = p.ClientId;
        form["client_secret"] = p.ClientSecret;
        if (provider == CalendarProviders.Outlook)
        {
            form["scope"] = p.Scopes;
        }

        using var content = new FormUrlEncodedContent(form);
        using var response = await http.PostAsync(p.TokenUri, content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var error = await ReadErrorAsync(response, cancellationToken);
            if (error is "invalid_grant" or "unauthorized_client" or "invalid_client" && response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized)
            {
                throw new GrantRevokedException(provider);
            }

            // Never the body: a token endpoint's answer may echo what it was sent.
            throw new CalendarApiException(provider, (int)response.StatusCode, error ?? "token endpoint error", CalendarApiException.RetryAfterOf(response.Headers.RetryAfter, time.GetUtcNow()));
        }

        var answer = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken)
            ?? throw new CalendarApiException(provider, (int)response.StatusCode, "empty token response");
        if (string.IsNullOrEmpty(answer.AccessToken))
        {
            throw new CalendarApiException(provider, (int)response.StatusCode, "no access token in the token response");
        }

        return new TokenGrant(
            new OAuthTokens(answer.AccessToken, answer.RefreshToken ?? previousRefreshToken),
            time.GetUtcNow().AddSeconds(answer.ExpiresIn is > 0 ? answer.ExpiresIn.Value : 3600),
            EmailOf(answer.IdToken));
    }

    /// <summary>
    /// The account's address from the id token. The token came straight from the provider's token endpoint
    /// over TLS, which OpenID Connect Core §3.1.3.7 accepts in place of checking its signature; it is only
    /// used to show the user which account is connected.
    /// </summary>
    private static string? EmailOf(string? idToken)
    {
        var parts = idToken?.Split('.');
        if (parts is not { Length: 3 })
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(WebEncoders.Base64UrlDecode(parts[1]));
            foreach (var claim in new[] { "email", "preferred_username", "upn" })
            {
                if (payload.RootElement.TryGetProperty(claim, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    return value.GetString();
                }
            }
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
        }

        return null;
    }

    private static async Task<string?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return body.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Base64Url(byte[] bytes) => WebEncoders.Base64UrlEncode(bytes);

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("refresh_token")] string? RefreshToken,
        [property: JsonPropertyName("expires_in")] int? ExpiresIn,
        [property: JsonPropertyName("id_token")] string? IdToken);
}
