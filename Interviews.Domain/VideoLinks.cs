namespace Interviews.Domain;

/// <summary>A video meeting link found in an interview's location, and whose service it is.</summary>
public sealed record VideoLink(string Provider, string Url);

/// <summary>
/// Recognises Zoom, Microsoft Teams, Google Meet and Webex links in a location by parsing the text only:
/// the server never fetches a URL a user wrote. A link is recognised by its host (https or http, the
/// service's own domain or a subdomain of it); anything else is not a video link.
/// </summary>
public static class VideoLinks
{
    public const string Zoom = "zoom";
    public const string Teams = "teams";
    public const string GoogleMeet = "googleMeet";
    public const string Webex = "webex";

    private static readonly (string Domain, string Provider)[] Domains =
    [
        ("zoom.us", Zoom),
        ("zoomgov.com", Zoom),
        ("teams.microsoft.com", Teams),
        ("teams.live.com", Teams),
        ("meet.google.com", GoogleMeet),
        ("webex.com", Webex),
    ];

    /// <summary>The first recognised link in <paramref name="location"/>, or null.</summary>
    public static VideoLink? Find(string? location)
    {
        if (string.IsNullOrWhiteSpace(location))
        {
            return null;
        }

        foreach (var word in location.Split([' ', '\t', '\n', '\r', ',', ';', '<', '>', '(', ')', '"', '\''], StringSplitOptions.RemoveEmptyEntries))
        {
            if (Uri.TryCreate(word.TrimEnd('.'), UriKind.Absolute, out var uri)
                && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
                && uri.UserInfo.Length == 0
                && ProviderOf(uri.IdnHost) is { } provider)
            {
                return new VideoLink(provider, uri.AbsoluteUri);
            }
        }

        return null;
    }

    private static string? ProviderOf(string host)
    {
        foreach (var (domain, provider) in Domains)
        {
            if (host.Equals(domain, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase))
            {
                return provider;
            }
        }

        return null;
    }
}
