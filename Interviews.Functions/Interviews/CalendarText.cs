using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Interviews.Domain;

namespace Interviews.Functions.Interviews;

/// <summary>One content line of an iCalendar object: its name (upper case), its parameters and its raw value.</summary>
public sealed record CalendarProperty(string Name, IReadOnlyDictionary<string, string> Parameters, string Value)
{
    /// <summary>The parameter's value (quotes removed, RFC 6868 caret escapes decoded), or null.</summary>
    public string? Parameter(string name) => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>The value as TEXT (RFC 5545 §3.3.11): <c>\n</c>, <c>\,</c>, <c>\;</c> and <c>\\</c> unescaped.</summary>
    public string Text => CalendarText.Unescape(Value);
}

/// <summary>A component (<c>BEGIN:NAME</c> … <c>END:NAME</c>) with its properties and sub-components, in order.</summary>
public sealed class CalendarComponent(string name)
{
    public string Name { get; } = name;

    public List<CalendarProperty> Properties { get; } = [];

    public List<CalendarComponent> Components { get; } = [];

    public CalendarProperty? Property(string name) => Properties.Find(p => p.Name == name);

    public IEnumerable<CalendarProperty> All(string name) => Properties.Where(p => p.Name == name);

    public IEnumerable<CalendarComponent> Children(string name) => Components.Where(c => c.Name == name);
}

/// <summary>
/// A small, strict reader of iCalendar text (RFC 5545 §3.1): lines unfolded (CRLF or a bare LF, then a
/// space or a tab), each content line split into name, parameters (quoted values, several values
/// separated by commas kept as written) and value, components nested by BEGIN/END. It reads structure
/// only; what the properties mean is the caller's. It never throws for bad input: every problem is a
/// validation error naming the line, and it stops at bounds that no invitation comes near, so a hostile
/// body costs at most a linear pass.
/// </summary>
public static partial class CalendarText
{
    /// <summary>Deeper than any calendar (VCALENDAR › VEVENT › VALARM, VTIMEZONE › STANDARD) nests.</summary>
    public const int MaxDepth = 8;

    public const int MaxLines = 20_000;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The calendars (<c>VCALENDAR</c> components) in <paramref name="text"/>, or the first problem found.</summary>
    public static Result<IReadOnlyList<CalendarComponent>> Read(string text)
    {
        var calendars = new List<CalendarComponent>();
        var open = new Stack<CalendarComponent>();
        var number = 0;
        foreach (var (line, lineNumber) in Unfold(text))
        {
            if (++number > MaxLines)
            {
                return Invalid($"The calendar has more than {MaxLines} lines.");
            }

            if (line.Length == 0)
            {
                continue;
            }

            if (!TryParseLine(line, out var property))
            {
                return Invalid($"Line {lineNumber} is not an iCalendar content line (NAME;PARAM=VALUE:VALUE).");
            }

            if (property.Name == "BEGIN")
            {
                var name = property.Value.Trim().ToUpperInvariant();
                if (!IsName(name))
                {
                    return Invalid($"Line {lineNumber}: BEGIN needs a component name.");
                }

                if (open.Count == 0 && name != "VCALENDAR")
                {
                    return Invalid($"Line {lineNumber}: the text must start with BEGIN:VCALENDAR.");
                }

                if (open.Count == MaxDepth)
                {
                    return Invalid($"Line {lineNumber}: components nest deeper than {MaxDepth}.");
                }

                var component = new CalendarComponent(name);
                if (open.TryPeek(out var parent))
                {
                    parent.Components.Add(component);
                }
                else
                {
                    calendars.Add(component);
                }

                open.Push(component);
            }
            else if (property.Name == "END")
            {
                var name = property.Value.Trim().ToUpperInvariant();
                if (!open.TryPeek(out var current) || current.Name != name)
                {
                    return Invalid($"Line {lineNumber}: END:{Shorten(name)} does not close the open component{(open.Count > 0 ? $" ({open.Peek().Name})" : "")}.");
                }

                open.Pop();
            }
            else if (open.TryPeek(out var current))
            {
                current.Properties.Add(property);
            }
            else if (calendars.Count == 0)
            {
                return Invalid($"Line {lineNumber}: the text must start with BEGIN:VCALENDAR.");
            }

            // Lines after the last END:VCALENDAR (a mail client's signature) are ignored.
        }

        if (open.Count > 0)
        {
            return Invalid($"The calendar ends inside {open.Peek().Name}: END:{open.Peek().Name} is missing.");
        }

        return calendars.Count == 0 ? Invalid("The body holds no calendar (BEGIN:VCALENDAR … END:VCALENDAR).") : calendars;
    }

    /// <summary>
    /// The calendar's bytes decoded as UTF-8 (RFC 5545's charset), unfolded first: a folding producer may
    /// split a multi-byte character across two lines (RFC 5545 §3.1 warns of it), which only unfolding
    /// the bytes restores. A byte order mark is dropped; bytes that are not UTF-8 are an error.
    /// </summary>
    public static Result<string> DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        var unfolded = new byte[bytes.Length];
        var length = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            var lineBreak = bytes[i] == '\r' && i + 1 < bytes.Length && bytes[i + 1] == '\n' ? 2 : bytes[i] == '\n' ? 1 : 0;
            if (lineBreak > 0 && i + lineBreak < bytes.Length && bytes[i + lineBreak] is (byte)' ' or (byte)'\t')
            {
                i += lineBreak;
                continue;
            }

            unfolded[length++] = bytes[i];
        }

        try
        {
            var text = StrictUtf8.GetString(unfolded, 0, length);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (DecoderFallbackException)
        {
            return Invalid("The calendar is not valid UTF-8 (the charset of iCalendar).");
        }
    }

    /// <summary>TEXT unescaped (RFC 5545 §3.3.11); an unknown escape keeps its character.</summary>
    public static string Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\' || i == value.Length - 1)
            {
                text.Append(value[i]);
                continue;
            }

            var next = value[++i];
            text.Append(next is 'n' or 'N' ? '\n' : next);
        }

        return text.ToString();
    }

    /// <summary>A DATE-TIME value (<c>20260105T140000</c>, <c>…Z</c>): the wall-clock time, and whether it is UTC.</summary>
    public static bool TryParseDateTime(string value, out DateTime dateTime, out bool utc)
    {
        value = value.Trim();
        utc = value.EndsWith('Z') || value.EndsWith('z');
        var local = utc ? value[..^1] : value;
        return DateTime.TryParseExact(local, "yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out dateTime);
    }

    /// <summary>A DATE value (<c>20260105</c>): an all-day event.</summary>
    public static bool IsDate(string value) =>
        DateTime.TryParseExact(value.Trim(), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>A DURATION value (RFC 5545 §3.3.6: <c>PT45M</c>, <c>P1DT2H</c>, <c>P1W</c>); a negative one is refused.</summary>
    public static bool TryParseDuration(string value, out TimeSpan duration)
    {
        duration = default;
        var match = DurationPattern().Match(value.Trim());
        if (!match.Success || match.Groups["sign"].Value == "-" || match.Value.EndsWith('T') || match.Value is "P" or "+P")
        {
            return false;
        }

        static long Part(Group group) => group.Success ? long.Parse(group.Value, CultureInfo.InvariantCulture) : 0;
        duration = TimeSpan.FromDays((Part(match.Groups["weeks"]) * 7) + Part(match.Groups["days"]))
            + TimeSpan.FromHours(Part(match.Groups["hours"]))
            + TimeSpan.FromMinutes(Part(match.Groups["minutes"]))
            + TimeSpan.FromSeconds(Part(match.Groups["seconds"]));
        return true;
    }

    /// <summary>Unfolded lines with the number of the physical line each starts on.</summary>
    private static IEnumerable<(string Line, int Number)> Unfold(string text)
    {
        var current = new StringBuilder();
        var start = 0;
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var physical = raw.EndsWith('\r') ? raw[..^1] : raw;
            if (physical.Length > 0 && (physical[0] == ' ' || physical[0] == '\t') && current.Length > 0)
            {
                current.Append(physical, 1, physical.Length - 1);
                continue;
            }

            if (current.Length > 0 || number > 1)
            {
                yield return (current.ToString(), start);
            }

            current.Clear().Append(physical);
            start = number;
        }

        yield return (current.ToString(), start);
    }

    /// <summary>contentline = name *(";" param) ":" value (RFC 5545 §3.1), with quoted parameter values.</summary>
    private static bool TryParseLine(string line, out CalendarProperty property)
    {
        property = null!;
        var i = 0;
        while (i < line.Length && IsNameChar(line[i]))
        {
            i++;
        }

        if (i == 0 || i == line.Length || (line[i] != ':' && line[i] != ';'))
        {
            return false;
        }

        var name = line[..i].ToUpperInvariant();
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (line[i] == ';')
        {
            var nameStart = ++i;
            while (i < line.Length && IsNameChar(line[i]))
            {
                i++;
            }

            if (i == nameStart || i == line.Length || line[i] != '=')
            {
                return false;
            }

            var parameterName = line[nameStart..i];
            var values = new StringBuilder();
            do
            {
                i++;
                if (i < line.Length && line[i] == '"')
                {
                    var close = line.IndexOf('"', i + 1);
                    if (close < 0)
                    {
                        return false;
                    }

                    values.Append(line, i + 1, close - i - 1);
                    i = close + 1;
                }
                else
                {
                    var valueStart = i;
                    while (i < line.Length && line[i] is not (';' or ':' or ',' or '"'))
                    {
                        i++;
                    }

                    values.Append(line, valueStart, i - valueStart);
                }

                if (i < line.Length && line[i] == ',')
                {
                    values.Append(',');
                }
            }
            while (i < line.Length && line[i] == ',');

            if (i == line.Length || (line[i] != ';' && line[i] != ':'))
            {
                return false;
            }

            // A repeated parameter keeps its first value, as a reader that stops at the first would.
            parameters.TryAdd(parameterName, DecodeCarets(values.ToString()));
        }

        property = new CalendarProperty(name, parameters, line[(i + 1)..]);
        return true;
    }

    /// <summary>RFC 6868: <c>^n</c> a newline, <c>^'</c> a double quote, <c>^^</c> a caret, in parameter values.</summary>
    private static string DecodeCarets(string value)
    {
        if (!value.Contains('^', StringComparison.Ordinal))
        {
            return value;
        }

        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '^' && i + 1 < value.Length && value[i + 1] is 'n' or '\'' or '^')
            {
                text.Append(value[++i] switch { 'n' => '\n', '\'' => '"', _ => '^' });
            }
            else
            {
                text.Append(value[i]);
            }
        }

        return text.ToString();
    }

    private static bool IsNameChar(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-';

    private static bool IsName(string name) => name.Length is > 0 and <= 100 && name.All(IsNameChar);

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static Error Invalid(string message) => Error.Validation("body", message);

    [GeneratedRegex(@"^(?<sign>[+-])?P(?:(?<weeks>\d{1,6})W|(?:(?<days>\d{1,6})D)?(?:T(?:(?<hours>\d{1,6})H)?(?:(?<minutes>\d{1,6})M)?(?:(?<seconds>\d{1,6})S)?)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
