namespace Interviews.LocalHost;

/// <summary>Trigger values the way the Functions host reads them: <c>%Setting%</c> is the value of that app setting.</summary>
public static class BindingExpressions
{
    /// <summary>The value, or the setting it names; a named setting that is not set fails start-up with its name.</summary>
    public static string Resolve(string value, IConfiguration configuration, string function, string what)
    {
        if (value.Length > 2 && value.StartsWith('%') && value.EndsWith('%'))
        {
            var setting = value[1..^1];
            return configuration[setting] is { Length: > 0 } configured
                ? configured
                : throw new InvalidOperationException($"Function {function} takes its {what} from setting {setting}, which is not set.");
        }

        return value;
    }
}
