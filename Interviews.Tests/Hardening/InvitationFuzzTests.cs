using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Interviews.Functions.Interviews;
using Interviews.LocalHost;
using Interviews.Tests.Import;
using Interviews.Tests.Support;

namespace Interviews.Tests.Hardening;

/// <summary>
/// Malformed invitations, made by mutating the provider fixtures: the reader never throws, and through
/// LocalHost the import never answers a 5xx, every refusal is problem+json with a trace id, and a refused
/// import leaves the caller's documents as they were.
/// </summary>
public sealed class InvitationFuzzTests
{
    /// <summary>Fixed, so that a finding reproduces; <c>HARDENING_FUZZ_SEED</c> explores further.</summary>
    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("HARDENING_FUZZ_SEED"), out var n) ? n : 5_545;

    private static readonly string[] Fragments =
    [
        ";", ":", ",", "\"", "\\", "\\n", "\r\n", "\r\n ", "\n\t", "^", "^'", "=", "BEGIN:VEVENT\r\n", "END:VEVENT\r\n", "END:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\n", "BEGIN:VTIMEZONE\r\n", "RRULE:FREQ=DAILY\r\n", "METHOD:CANCEL\r\n", "STATUS:CANCELLED\r\n", "SEQUENCE:99\r\n",
        "SEQUENCE:-1\r\n", "SEQUENCE:99999999999999999999\r\n", "DTSTART:99991231T235959Z\r\n", "DTSTART:00010101T000000\r\n", "DURATION:P999999W\r\n",
        "DURATION:PT\r\n", "DTEND;TZID=\"\":20260310T100000\r\n", "TZID=Pacific Standard Time", ";TZID=../../etc/passwd", ";CN=\"", "mailto:", "\u0000", "\uFEFF",
        "李雷", "José", "\u202E", new string('x', 5000), new string(';', 300), "X-GOOGLE-CONFERENCE:https://meet.google.com/x\r\n", "UID:\r\n",
    ];

    private static readonly string[] Sources =
        [.. Invitations.All.Where(f => f.EndsWith(".ics", StringComparison.Ordinal)).Select(Invitations.Text)];

    /// <summary>One malformed variant of a fixture.</summary>
    private static string Mutate(Random random, string calendar)
    {
        var lines = calendar.Split("\r\n").ToList();
        for (var edits = random.Next(1, 5); edits > 0 && lines.Count > 0; edits--)
        {
            var at = random.Next(lines.Count);
            switch (random.Next(9))
            {
                case 0:
                    lines.RemoveAt(at);
                    break;
                case 1:
                    lines.Insert(at, lines[random.Next(lines.Count)]);
                    break;
                case 2:
                    lines[at] = lines[at].Insert(random.Next(lines[at].Length + 1), Fragments[random.Next(Fragments.Length)]);
                    break;
                case 3:
                    lines[at] = lines[at][..random.Next(lines[at].Length + 1)];
                    break;
                case 4:
                    var colon = lines[at].IndexOf(':', StringComparison.Ordinal);
                    lines[at] = colon < 0 ? lines[at] : lines[at][..(colon + 1)] + Fragments[random.Next(Fragments.Length)].Trim();
                    break;
                case 5:
                    (lines[at], lines[^1]) = (lines[^1], lines[at]);
                    break;
                case 6:
                    lines.Insert(at, string.Concat(Enumerable.Repeat("BEGIN:X\r\n", random.Next(1, 30))));
                    break;
                case 7:
                    lines[at] = lines[at].ToLowerInvariant();
                    break;
                default:
                    var text = string.Join("\r\n", lines);
                    return text[..random.Next(text.Length + 1)];
            }
        }

        return string.Join(random.Next(4) == 0 ? "\n" : "\r\n", lines);
    }

    private static byte[] Bytes(Random random, string calendar)
    {
        var bytes = Encoding.UTF8.GetBytes(calendar);
        if (bytes.Length > 0 && random.Next(6) == 0)
        {
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        }

        return bytes;
    }

    private static string Mail(Random random, string calendar) => random.Next(3) switch
    {
        0 => $"From: a@example.com\r\nTo: {Invitations.CandidateEmail}\r\nMIME-Version: 1.0\r\nContent-Type: text/calendar; charset=UTF-8; method=REQUEST\r\n\r\n{calendar}",
        1 => $"From: a@example.com\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nHi\r\n--b\r\nContent-Type: application/octet-stream; name=invite.ics\r\nContent-Disposition: attachment; filename=invite.ics\r\nContent-Transfer-Encoding: base64\r\n\r\n{Convert.ToBase64String(Encoding.UTF8.GetBytes(calendar), Base64FormattingOptions.InsertLineBreaks)}\r\n--b--\r\n",
        _ => calendar[..Math.Min(calendar.Length, random.Next(400))] + "\r\n\r\n--unterminated",
    };

    [Fact]
    public void The_reader_never_throws_for_any_mutation_of_any_providers_invitation()
    {
        var random = new Random(Seed);
        var zone = Interviews.Domain.IanaTimeZone.Create("Europe/Paris").Value;
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < 20_000; i++)
        {
            var mutated = Mutate(random, Sources[random.Next(Sources.Length)]);
            var decoded = random.Next(3) == 0 ? InvitationMail.CalendarOf(Encoding.UTF8.GetBytes(Mail(random, mutated))) : CalendarText.DecodeUtf8(Bytes(random, mutated));
            var read = decoded.IsSuccess ? InvitationReader.Read(decoded.Value, Invitations.CandidateEmail, random.Next(2) == 0 ? zone : null) : default;
            var outcome = !decoded.IsSuccess ? "not decoded" : read.IsSuccess ? "read" : string.Join('+', read.Error!.Fields!.Keys.Order(StringComparer.Ordinal).Take(2));
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", outcomes.OrderByDescending(o => o.Value).Take(25).Select(o => $"{o.Key} ×{o.Value}")));
        // The mutations are not all fatal: some still read, and many are refused for what they break.
        Assert.True(outcomes.GetValueOrDefault("read") > 100, string.Join(", ", outcomes));
        Assert.True(outcomes.Count > 10, string.Join(", ", outcomes));
    }

    [Fact]
    public async Task Malformed_invitations_sent_to_the_import_get_no_5xx_only_problems_and_change_nothing_when_refused()
    {
        using var factory = new LocalHostFactory();
        var probe = new StoreProbe(factory.DatabasePath);
        var user = LocalHostFactory.NewUser();
        var userId = DevelopmentTokens.UserIdOf(user);
        using var client = factory.ClientFor(user, Invitations.CandidateEmail);
        var random = new Random(Seed);
        var statuses = new Dictionary<int, int>();
        var requests = int.TryParse(Environment.GetEnvironmentVariable("HARDENING_FUZZ_REQUESTS"), out var n) && n > 0 ? Math.Max(200, n / 20) : 1_000;
        for (var i = 0; i < requests; i++)
        {
            var mutated = Mutate(random, Sources[random.Next(Sources.Length)]);
            var asMail = random.Next(4) == 0;
            var query = random.Next(3) switch { 0 => "&timezone=America/Los_Angeles", 1 => "&interviewType=Final", _ => "" };
            var before = await probe.DigestAsync(userId);
            using var response = await client.ImportAsync(asMail ? Encoding.UTF8.GetBytes(Mail(random, mutated)) : Bytes(random, mutated), asMail ? "message/rfc822" : "text/calendar", query);
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status < 500, $"{status} for:\n{mutated}\n→ {body}");
            if (status >= 400)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var problem = JsonNode.Parse(body)!.AsObject();
                Assert.Equal(status, problem["status"]!.GetValue<int>());
                Assert.False(string.IsNullOrEmpty(problem["traceId"]?.GetValue<string>()));
                Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
                Assert.True(before == await probe.DigestAsync(userId), $"A refused import ({status}) changed the store:\n{mutated}");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{requests} malformed invitations (seed {Seed}): " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} ×{s.Value}")));
        Assert.Contains(statuses.Keys, s => s is 200 or 201);
        Assert.Contains(400, statuses.Keys);
    }
}
