namespace Interviews.Tests.Hardening;

/// <summary>
/// A clock that tests set anywhere, backwards too (<c>FakeTimeProvider</c> refuses to go back): for
/// replaying a recipe from the same instant, and for playing a host whose clock was corrected backwards.
/// </summary>
public sealed class JumpingClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void SetUtcNow(DateTimeOffset now) => Interlocked.Exchange(ref _ticks, now.UtcTicks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    /// <summary>
    /// A LocalHost whose domain clock is <paramref name="clock"/>, with more settings if given. Events
    /// live ten years here: the suites move the clock by weeks and count event documents, which the
    /// store's purge of expired documents would otherwise remove.
    /// </summary>
    public static Support.LocalHostFactory Factory(JumpingClock clock, IReadOnlyDictionary<string, string?>? settings = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null) =>
        Support.LocalHostFactory.WithSettings(new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Storage:EventTimeToLive"] = "3650.00:00:00" }, s =>
        {
            Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.Replace(
                s, Microsoft.Extensions.DependencyInjection.ServiceDescriptor.Singleton<TimeProvider>(clock));
            services?.Invoke(s);
        });
}
