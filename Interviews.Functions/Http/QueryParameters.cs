using Interviews.Domain;
using Microsoft.AspNetCore.Http;

namespace Interviews.Functions.Http;

/// <summary>Reads query string parameters exactly as the contract describes them.</summary>
public static class QueryParameters
{
    /// <summary>
    /// The parameter's value as sent, or null when it is absent. Given twice or empty, it is an error naming
    /// it: the contract describes each parameter's values exactly, and an empty string is none of them.
    /// </summary>
    public static string? Single(IQueryCollection query, string name, ValidationErrors errors)
    {
        if (!query.TryGetValue(name, out var values) || values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            errors.Add(name, "Give this parameter once.");
            return null;
        }

        if (string.IsNullOrEmpty(values[0]))
        {
            errors.Add(name, "Give a value, or leave the parameter out.");
            return null;
        }

        return values[0];
    }
}
