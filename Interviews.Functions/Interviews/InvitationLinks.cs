using System.Security.Cryptography;
using System.Text;
using Interviews.Functions.Storage;

namespace Interviews.Functions.Interviews;

/// <summary>Which interview an invitation's UID was imported into.</summary>
public sealed record InvitationLink(string Uid, Guid InterviewId);

/// <summary>
/// The user's invitations by UID: one small document per UID in the user's partition (kind
/// <c>invitation</c>, id <c>invitation:</c> + SHA-256 of the UID, so any UID makes a valid id), found by a
/// point read. It is created in the same atomic write as the interview it names, so two imports of the
/// same new invitation at once make one interview: the second loses the create and applies itself to it.
/// </summary>
public sealed class InvitationLinks(IDocumentContainer container)
{
    public const string Kind = "invitation";

    private readonly DocumentKind<InvitationLink> _links = new(container, Kind, key => key);

    public async Task<Stored<InvitationLink>?> FindAsync(Guid userId, string uid, CancellationToken cancellationToken) =>
        await _links.ReadAsync(userId.ToString("D"), Id(uid), cancellationToken) is { } stored && stored.Value.Uid == uid ? stored : null;

    /// <summary>The write that links <paramref name="uid"/> to <paramref name="interviewId"/>: a create, or a replace of a link whose interview is gone.</summary>
    public DocumentWrite Write(string uid, Guid interviewId, string? staleETag) => _links.Write(Id(uid), new InvitationLink(uid, interviewId), staleETag);

    public static string Id(string uid) => "invitation:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(uid)));
}
