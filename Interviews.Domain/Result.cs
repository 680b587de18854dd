namespace Interviews.Domain;

/// <summary>What kind of expected failure an <see cref="Error"/> is; the API maps each kind to one status.</summary>
public enum ErrorKind
{
    /// <summary>The input breaks a rule; <see cref="Error.Fields"/> names each field.</summary>
    Validation,
    /// <summary>The command is not allowed in the interview's current status.</summary>
    InvalidState,
    /// <summary>No such resource for this user (whether it exists for another user is never told).</summary>
    NotFound,
    /// <summary>The caller's precondition (If-Match) does not hold.</summary>
    PreconditionFailed,
    /// <summary>A write lost a race with another write and could not be retried.</summary>
    Conflict,
    /// <summary>Well-formed, but cannot be processed as sent (an idempotency key reused with another body).</summary>
    Unprocessable,
}

/// <summary>
/// An expected failure, as a value. <see cref="Fields"/> maps a field name (camelCase, as the client
/// sent it) to its messages and is only set for <see cref="ErrorKind.Validation"/>.
/// </summary>
public sealed record Error(ErrorKind Kind, string Code, string Message, IReadOnlyDictionary<string, string[]>? Fields = null)
{
    public static Error Validation(IReadOnlyDictionary<string, string[]> fields) =>
        new(ErrorKind.Validation, "validation", "One or more fields are invalid.", fields);

    public static Error Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static Error InvalidState(string code, string message) => new(ErrorKind.InvalidState, code, message);

    public static Error NotFound(string message) => new(ErrorKind.NotFound, "not-found", message);
}

/// <summary>The outcome of a command that returns nothing on success.</summary>
public readonly record struct Result(Error? Error)
{
    public static Result Success { get; } = new((Error?)null);

    public bool IsSuccess => Error is null;

    public static implicit operator Result(Error error) => new(error);
}

/// <summary>The outcome of an operation that returns a <typeparamref name="T"/> on success.</summary>
public readonly record struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, Error? error)
    {
        _value = value;
        Error = error;
    }

    public Error? Error { get; }

    public bool IsSuccess => Error is null;

    /// <summary>The value; reading it from a failure is a bug, not an expected failure.</summary>
    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"No value: {Error!.Code}");

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(Error error) => new(default, error);
}

/// <summary>
/// Collects per-field validation messages so that a client sees every problem at once. The elements of an
/// array (<c>interviewers[3]</c>, <c>questions[7].question</c>) report at most <see cref="MaxElementFields"/>
/// fields per array; the rest are counted in one more entry, <c>interviewers[…]</c>, so that an answer stays
/// small however long the array.
/// </summary>
public sealed class ValidationErrors
{
    public const int MaxElementFields = 10;

    private readonly Dictionary<string, List<string>> _fields = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _elementFields = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _elementFieldsLeftOut = new(StringComparer.Ordinal);

    public bool Any => _fields.Count > 0 || _elementFieldsLeftOut.Count > 0;

    public ValidationErrors Add(string field, string message)
    {
        if (!_fields.TryGetValue(field, out var messages))
        {
            if (ArrayOf(field) is { } array)
            {
                var listed = _elementFields.GetValueOrDefault(array);
                if (listed == MaxElementFields)
                {
                    _elementFieldsLeftOut[array] = _elementFieldsLeftOut.GetValueOrDefault(array) + 1;
                    return this;
                }

                _elementFields[array] = listed + 1;
            }

            _fields[field] = messages = [];
        }

        messages.Add(message);
        return this;
    }

    public ValidationErrors AddFrom(Error? error)
    {
        if (error?.Fields is { } fields)
        {
            foreach (var (field, messages) in fields)
            {
                foreach (var message in messages)
                {
                    Add(field, message);
                }
            }
        }

        return this;
    }

    public Error ToError()
    {
        var fields = _fields.ToDictionary(f => f.Key, f => f.Value.ToArray(), StringComparer.Ordinal);
        foreach (var (array, count) in _elementFieldsLeftOut)
        {
            fields[$"{array}[…]"] = [$"{count} more invalid {(count == 1 ? "element field" : "element fields")} of {array}, not listed; fix the ones above and send again."];
        }

        return Error.Validation(fields);
    }

    /// <summary>"questions[7].question" → "questions"; null for a field that is not an array element.</summary>
    private static string? ArrayOf(string field)
    {
        var open = field.IndexOf('[', StringComparison.Ordinal);
        return open > 0 && open + 1 < field.Length && char.IsAsciiDigit(field[open + 1]) ? field[..open] : null;
    }
}
