using System.Text;
using System.Text.Json.Nodes;
using Interviews.Tests.Support;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Interviews.Tests.Calendar;

/// <summary>
/// A stateful fake of a provider (OAuth endpoints and a calendar API) served by WireMock on 127.0.0.1:
/// one catch-all mapping whose callback plays the provider, so that tests can also act as the user in
/// the calendar (move, delete) and script failures (429, revoked grant, expired token).
/// </summary>
public abstract class FakeProvider : IDisposable
{
    private readonly Dictionary<string, string> _codes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _accessTokens = new(StringComparer.Ordinal);
    private int _tokenCounter;

    protected FakeProvider(string email)
    {
        Email = email;
        Server = Loopback.WireMock();
        Server.Given(Request.Create().UsingAnyMethod().WithPath(new WildcardMatcher("/*")))
            .RespondWith(Response.Create().WithCallback(request =>
            {
                lock (Lock)
                {
                    Requests.Add($"{request.Method} {request.Path}");
                    return Handle(request);
                }
            }));
    }

    protected object Lock { get; } = new();

    public WireMockServer Server { get; }

    public string Url => Server.Url!;

    public string Email { get; }

    /// <summary>"METHOD /path" of every request, in order.</summary>
    public List<string> Requests { get; } = [];

    /// <summary>Every token this fake issued, to check none leaks.</summary>
    public List<string> IssuedTokens { get; } = [];

    public string RefreshToken { get; } = $"refresh-{Guid.NewGuid():N}";

    public bool GrantRevoked { get; set; }

    /// <summary>Answers the next calendar API call with 429 and this Retry-After (seconds).</summary>
    public int? ThrottleNextCallFor { get; set; }

    public List<string> Revoked { get; } = [];

    public int Refreshes { get; private set; }

    /// <summary>What the user's browser would get back from the provider after consent: a code bound to the PKCE challenge.</summary>
    public string IssueCode(string codeChallenge)
    {
        lock (Lock)
        {
            var code = $"code-{Guid.NewGuid():N}";
            _codes[code] = codeChallenge;
            return code;
        }
    }

    /// <summary>Makes every access token issued so far invalid (as after its expiry).</summary>
    public void ExpireAccessTokens()
    {
        lock (Lock)
        {
            _accessTokens.Clear();
        }
    }

    protected abstract string TokenPath { get; }

    protected abstract IResponseMessage HandleApi(IRequestMessage request);

    private IResponseMessage Handle(IRequestMessage request)
    {
        if (request.Method == "POST" && request.Path == TokenPath)
        {
            return Token(Form(request.Body));
        }

        if (request.Method == "POST" && request.Path == "/revoke")
        {
            Revoked.Add(Form(request.Body)["token"]);
            return Json(200, new JsonObject());
        }

        var authorization = request.Headers?.TryGetValue("Authorization", out var values) == true ? values.FirstOrDefault() : null;
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !_accessTokens.Contains(authorization[7..]))
        {
            return Json(401, new JsonObject { ["error"] = new JsonObject { ["code"] = 401, ["message"] = "Invalid Credentials" } });
        }

        if (ThrottleNextCallFor is { } seconds)
        {
            ThrottleNextCallFor = null;
            var throttled = Json(429, new JsonObject { ["error"] = new JsonObject { ["code"] = "TooManyRequests", ["message"] = "Rate limit exceeded" } });
            throttled.AddHeader("Retry-After", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return throttled;
        }

        return HandleApi(request);
    }

    private ResponseMessage Token(Dictionary<string, string> form)
    {
        switch (form.GetValueOrDefault("grant_type"))
        {
            case "authorization_code":
                var code = form.GetValueOrDefault("code") ?? "";
                if (!_codes.Remove(code, out var challenge) || Challenge(form.GetValueOrDefault("code_verifier") ?? "") != challenge || form.GetValueOrDefault("client_secret") is null or "")
                {
                    return Json(400, new JsonObject { ["error"] = "invalid_grant" });
                }

                return Tokens(withRefresh: true);
            case "refresh_token" when !GrantRevoked && form.GetValueOrDefault("refresh_token") == RefreshToken:
                Refreshes++;
                return Tokens(withRefresh: false);
            default:
                return Json(400, new JsonObject { ["error"] = "invalid_grant", ["error_description"] = "Token has been expired or revoked." });
        }
    }

    private ResponseMessage Tokens(bool withRefresh)
    {
        var access = $"access-{++_tokenCounter}-{Guid.NewGuid():N}";
        _accessTokens.Add(access);
        IssuedTokens.Add(access);
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject { ["email"] = Email, ["sub"] = "someone" }.ToJsonString())).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var body = new JsonObject { ["access_token"] = access, ["expires_in"] = 3600, ["token_type"] = "Bearer", ["id_token"] = $"eyJhbGciOiJub25lIn0.{payload}.sig" };
        if (withRefresh)
        {
            body["refresh_token"] = RefreshToken;
            IssuedTokens.Add(RefreshToken);
        }

        return Json(200, body);
    }

    protected static ResponseMessage Json(int status, JsonNode body)
    {
        var response = new ResponseMessage
        {
            StatusCode = status,
            BodyData = new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
        };
        response.AddHeader("Content-Type", "application/json; charset=utf-8");
        return response;
    }

    protected static ResponseMessage Empty(int status) => new() { StatusCode = status };

    private static Dictionary<string, string> Form(string? body) =>
        (body ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "", StringComparer.Ordinal);

    private static string Challenge(string verifier) =>
        Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose()
    {
        Server.Stop();
        Server.Dispose();
        GC.SuppressFinalize(this);
    }
}
