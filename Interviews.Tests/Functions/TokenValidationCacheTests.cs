using Interviews.Functions.Auth;
using Interviews.Tests.Hardening;
using Interviews.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Interviews.Tests.Functions;

/// <summary>
/// The validator remembers tokens that passed (so that a client's every request does not pay for the
/// signature again): what it remembers must never outlive the token, mix up users, or let a bad token in.
/// </summary>
public sealed class TokenValidationCacheTests
{
    private static BearerTokenValidator Validator() =>
        new(LocalHostFactory.DevelopmentTokens.ValidationParameters(TimeSpan.Zero), NullLogger<BearerTokenValidator>.Instance);

    private static string Mint(string user, TimeSpan? lifetime = null) =>
        LocalHostFactory.DevelopmentTokens.Mint(user, $"{user}@example.com", DateTimeOffset.UtcNow, lifetime);

    private static string? UserId(AuthenticationOutcome outcome) => outcome.Principal?.FindFirst(BearerTokenValidator.UserIdClaim)?.Value;

    [Fact]
    public async Task A_remembered_token_is_refused_once_it_expires()
    {
        var validator = Validator();
        var token = Mint("short-lived", TimeSpan.FromSeconds(2));
        Assert.True((await validator.ValidateAsync($"Bearer {token}")).Succeeded);
        Assert.True((await validator.ValidateAsync($"Bearer {token}")).Succeeded);
        Assert.Equal(1, validator.CachedTokens);

        var expires = new JsonWebToken(token).ValidTo;
        await Task.Delay(expires - DateTime.UtcNow + TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);

        var late = await validator.ValidateAsync($"Bearer {token}");
        Assert.False(late.Succeeded);
        Assert.Equal("invalid", late.Failure);
    }

    [Fact]
    public async Task Each_remembered_token_keeps_its_own_user()
    {
        var validator = Validator();
        var alice = Mint("alice");
        var bob = Mint("bob");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(DevelopmentTokenUser("alice"), UserId(await validator.ValidateAsync($"Bearer {alice}")));
            Assert.Equal(DevelopmentTokenUser("bob"), UserId(await validator.ValidateAsync($"Bearer {bob}")));
        }

        Assert.Equal(2, validator.CachedTokens);
    }

    [Fact]
    public async Task A_token_altered_after_its_original_was_remembered_is_still_refused()
    {
        var validator = Validator();
        var token = Mint("alice");
        Assert.True((await validator.ValidateAsync($"Bearer {token}")).Succeeded);

        var parts = token.Split('.');
        var signature = parts[2].ToCharArray();
        signature[^2] = signature[^2] == 'A' ? 'B' : 'A';
        var alteredSignature = $"{parts[0]}.{parts[1]}.{new string(signature)}";
        var otherPayload = Mint("mallory").Split('.')[1];
        var swappedPayload = $"{parts[0]}.{otherPayload}.{parts[2]}";

        foreach (var forged in new[] { alteredSignature, swappedPayload })
        {
            Assert.False((await validator.ValidateAsync($"Bearer {forged}")).Succeeded);
            Assert.False((await validator.ValidateAsync($"Bearer {forged}")).Succeeded);
        }

        Assert.Equal(1, validator.CachedTokens);
    }

    [Fact]
    public async Task Refused_tokens_are_never_remembered()
    {
        var validator = Validator();
        for (var round = 0; round < 2; round++)
        {
            foreach (var kind in ForgedTokens.Kinds)
            {
                Assert.False((await validator.ValidateAsync(ForgedTokens.Header(kind, LocalHostFactory.DevelopmentTokens))).Succeeded, kind);
            }
        }

        Assert.Equal(0, validator.CachedTokens);
    }

    [Fact]
    public async Task The_memory_of_validated_tokens_is_bounded()
    {
        var validator = Validator();
        for (var i = 0; i < BearerTokenValidator.MaxCachedTokens + 10; i++)
        {
            Assert.True((await validator.ValidateAsync($"Bearer {Mint($"user-{i}")}")).Succeeded);
        }

        Assert.InRange(validator.CachedTokens, 1, BearerTokenValidator.MaxCachedTokens);
    }

    private static string DevelopmentTokenUser(string user) => Interviews.LocalHost.DevelopmentTokens.UserIdOf(user).ToString("D");
}
