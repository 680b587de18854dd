using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Interviews.LocalHost;
using Interviews.Tests.Support;

namespace Interviews.Tests.Hardening;

/// <summary>
/// Security checks over every operation of the OpenAPI document, so that an endpoint added to it is
/// covered without editing this class: own id / another user's id / missing id; every forged
/// credential on every secured operation; every length and size limit at its bound and one past.
/// </summary>
public sealed class SecurityMatrixTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static ITestOutputHelper? Output => TestContext.Current.TestOutputHelper;

    [Fact]
    public async Task Every_operation_on_an_id_serves_its_owner_and_answers_another_users_id_exactly_as_a_missing_one()
    {
        var clock = new JumpingClock(LocalHostFactory.Start);
        using var factory = JumpingClock.Factory(clock);
        var probe = new StoreProbe(factory.DatabasePath);
        var ownerName = LocalHostFactory.NewUser();
        var owner = factory.ClientFor(ownerName);
        var intruder = factory.ClientFor(LocalHostFactory.NewUser());
        var recipes = new OperationRecipes(clock);
        // Operations on a resource id (not on a provider name or a feed token, which are not ids of a user's records).
        var operations = ApiOperation.All.Where(o => o.PathParameters.Any(p => p.Name == "id") && o.Secured).ToList();
        Assert.NotEmpty(operations);
        var cases = 0;

        foreach (var operation in operations)
        {
            var recipe = await recipes.FindAsync(owner, operation);
            Assert.True(recipe is not null, $"{operation}: no way found to make it succeed for its owner (is the collection's POST in the document?).");

            // Own id: the operation succeeds.
            var ownId = await recipes.PrepareAsync(owner, recipe);
            using (var own = await OperationRecipes.SendAsync(owner, operation, ownId, recipe.Body))
            {
                Assert.True(own.IsSuccessStatusCode, $"{operation} on the owner's own id: {(int)own.StatusCode}");
                Assert.Contains(((int)own.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), operation.Statuses);
            }

            // Another user's id, in the state where the owner's request succeeds, and a missing id.
            var theirId = await recipes.PrepareAsync(owner, recipe);
            var before = await probe.DocumentsAsync(DevelopmentTokens.UserIdOf(ownerName));
            var missingId = Guid.NewGuid().ToString();
            using var theirs = await OperationRecipes.SendAsync(intruder, operation, theirId, recipe.Body);
            using var missing = await OperationRecipes.SendAsync(intruder, operation, missingId, recipe.Body);
            var theirProblem = await theirs.AssertProblemAsync(HttpStatusCode.NotFound);
            var missingProblem = await missing.AssertProblemAsync(HttpStatusCode.NotFound);
            Assert.Equal(Comparable(missingProblem, missingId), Comparable(theirProblem, theirId!));
            Assert.Equal(
                theirs.Headers.Select(h => h.Key).Concat(theirs.Content.Headers.Select(h => h.Key)).Where(h => h != "Date").Order(),
                missing.Headers.Select(h => h.Key).Concat(missing.Content.Headers.Select(h => h.Key)).Where(h => h != "Date").Order());
            Assert.Equal(before, await probe.DocumentsAsync(DevelopmentTokens.UserIdOf(ownerName)));

            // The owner's id in other spellings the API accepts is still only the owner's.
            var upper = Guid.Parse(theirId!).ToString("N").ToUpperInvariant();
            using var theirsUpper = await OperationRecipes.SendAsync(intruder, operation, upper, recipe.Body);
            await theirsUpper.AssertProblemAsync(HttpStatusCode.NotFound);
            cases += 4;
        }

        Output?.WriteLine($"Id matrix: {operations.Count} operations × (own id, another user's id, the same in another spelling, missing id) = {cases} cases: {string.Join(", ", operations)}");
    }

    [Fact]
    public async Task Every_secured_operation_refuses_every_forged_credential_with_a_401_problem_and_a_bearer_challenge()
    {
        using var factory = new LocalHostFactory();
        var operations = ApiOperation.All.Where(o => o.Secured).ToList();
        var client = factory.ClientFor(null);
        var sampler = new SchemaSampler(new Random(7), factory.Clock.GetUtcNow);
        var cases = 0;
        foreach (var operation in operations)
        {
            foreach (var kind in ForgedTokens.Kinds)
            {
                var body = operation.BodySchema is { } schema ? sampler.Valid(schema)!.ToJsonString() : null;
                using var response = await OperationRecipes.SendAsync(client, operation, null, body, ForgedTokens.Header(kind, factory.Tokens));
                var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
                Assert.Equal("unauthenticated", problem["code"]!.GetValue<string>());
                Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
                cases++;
            }
        }

        // A token in the query string is not a credential either.
        var token = factory.Tokens.Mint("query-user", null, DateTimeOffset.UtcNow);
        foreach (var operation in operations.Where(o => o.Method == "GET"))
        {
            using var response = await client.GetAsync(operation.Path(_ => Guid.NewGuid().ToString()) + "?access_token=" + token, Token);
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
            cases++;
        }

        // The anonymous operations stay anonymous and answer the same with a forged token.
        foreach (var operation in ApiOperation.All.Where(o => !o.Secured))
        {
            using var response = await OperationRecipes.SendAsync(client, operation, null, null, ForgedTokens.Header("bad-signature", factory.Tokens));
            // Never a 401 (the token is not looked at) and never a 5xx; the OAuth callback without a valid state is a 400.
            Assert.True(response.StatusCode != HttpStatusCode.Unauthorized && (int)response.StatusCode < 500, $"{operation}: {(int)response.StatusCode}");
        }

        Output?.WriteLine($"Forged credentials: {operations.Count} secured operations × {ForgedTokens.Kinds.Length} kinds + {operations.Count(o => o.Method == "GET")} query-string tokens = {cases} cases.");
    }

    [Fact]
    public async Task Every_length_limit_of_every_request_body_holds_at_its_bound_and_fails_one_past_it()
    {
        var clock = new JumpingClock(LocalHostFactory.Start);
        using var factory = JumpingClock.Factory(clock);
        var client = factory.ClientFor(LocalHostFactory.NewUser(), "limits@example.com");
        var recipes = new OperationRecipes(clock);
        var cases = new List<string>();
        foreach (var operation in ApiOperation.All.Where(o => o.BodySchema is not null && o.Secured))
        {
            var recipe = await recipes.FindAsync(client, operation);
            Assert.True(recipe is not null, $"{operation}: no way found to make it succeed.");
            var properties = ApiOperation.Resolve(operation.BodySchema!)["properties"]!.AsObject();
            foreach (var (field, node) in properties)
            {
                foreach (var (what, atBound, pastBound, errorKey) in Limits(field, ApiOperation.Resolve(node!)))
                {
                    var id = await recipes.PrepareAsync(client, recipe);
                    using (var ok = await OperationRecipes.SendAsync(client, operation, id, JsonBodies.With(recipe.Body!, field, atBound)))
                    {
                        Assert.True(ok.IsSuccessStatusCode, $"{operation} {field} {what} at its bound: {(int)ok.StatusCode} {await ok.Content.ReadAsStringAsync(Token)}");
                    }

                    id = await recipes.PrepareAsync(client, recipe);
                    using (var past = await OperationRecipes.SendAsync(client, operation, id, JsonBodies.With(recipe.Body!, field, pastBound)))
                    {
                        await past.AssertInvalidFieldAsync(errorKey);
                    }

                    cases.Add($"{operation} {field} {what}");
                }
            }

            // The body limit: JSON padded with white space to exactly the limit is read; one byte more is a 413.
            var exact = await recipes.PrepareAsync(client, recipe);
            using (var full = await OperationRecipes.SendAsync(client, operation, exact, recipe.Body!.PadRight(operation.MaxBodyBytes - CountNonAscii(recipe.Body))))
            {
                Assert.True(full.IsSuccessStatusCode, $"{operation} with a body of exactly {operation.MaxBodyBytes} bytes: {(int)full.StatusCode}");
            }

            var over = await recipes.PrepareAsync(client, recipe);
            using (var tooLarge = await OperationRecipes.SendAsync(client, operation, over, recipe.Body.PadRight(operation.MaxBodyBytes + 1 - CountNonAscii(recipe.Body))))
            {
                await tooLarge.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
            }

            cases.Add($"{operation} body of {operation.MaxBodyBytes} bytes");
        }

        Output?.WriteLine($"Length limits: {cases.Count} limits × (at the bound, one past) = {cases.Count * 2} cases:\n  {string.Join("\n  ", cases)}");
        Assert.NotEmpty(cases);
    }

    /// <summary>
    /// The limits a field's schema states that can be tested with free text: <c>maxLength</c> of plain
    /// strings (an e-mail address of that length for address fields), <c>maxItems</c> of arrays and
    /// <c>maxLength</c> of their items. Strings with a vocabulary (formats, enums, time zones, date-times) are
    /// left to the fuzzer: a string of the maximum length is not a valid one.
    /// </summary>
    private static IEnumerable<(string What, JsonNode AtBound, JsonNode PastBound, string ErrorKey)> Limits(string field, JsonNode schema)
    {
        var types = SchemaSampler.TypesOf(schema);
        if (types.Contains("string") && schema["maxLength"]?.GetValue<int>() is { } max && IsFreeText(field, schema))
        {
            yield return ($"maxLength {max}", Text(field, max), Text(field, max + 1), field);
        }

        if (types.Contains("array") && schema["items"] is { } itemsNode)
        {
            var items = ApiOperation.Resolve(itemsNode);
            if (SchemaSampler.TypesOf(items).Contains("string") && IsFreeText(field, items))
            {
                if (schema["maxItems"]?.GetValue<int>() is { } maxItems)
                {
                    yield return ($"maxItems {maxItems}", Strings(field, maxItems, 10), Strings(field, maxItems + 1, 10), field);
                }

                if (items["maxLength"]?.GetValue<int>() is { } itemMax)
                {
                    yield return ($"items' maxLength {itemMax}", Strings(field, 1, itemMax), Strings(field, 1, itemMax + 1), $"{field}[0]");
                }
            }
        }
    }

    private static bool IsFreeText(string field, JsonNode schema) =>
        schema["format"] is null && schema["enum"] is null && schema["allOf"] is null && schema["examples"] is null
        && !field.Contains("zone", StringComparison.OrdinalIgnoreCase) && !field.EndsWith("At", StringComparison.Ordinal)
        && !field.Contains("DateTime", StringComparison.Ordinal);

    private static bool IsAddress(string field) =>
        field.Contains("email", StringComparison.OrdinalIgnoreCase) || field.Contains("recipient", StringComparison.OrdinalIgnoreCase);

    /// <summary>Text of exactly <paramref name="length"/> characters (an address of that length for address fields).</summary>
    private static JsonValue Text(string field, int length) =>
        JsonValue.Create(IsAddress(field) ? new string('a', length - "@example.com".Length) + "@example.com" : "x" + new string('y', length - 1));

    private static JsonArray Strings(string field, int count, int length) =>
        new([.. Enumerable.Range(0, count).Select(i => (JsonNode?)JsonValue.Create(
            IsAddress(field)
                ? $"{i}{new string('a', Math.Max(1, length - "@example.com".Length - i.ToString(System.Globalization.CultureInfo.InvariantCulture).Length))}@example.com"
                : $"{i}{new string('n', Math.Max(0, length - i.ToString(System.Globalization.CultureInfo.InvariantCulture).Length))}"))]);

    private static int CountNonAscii(string text) => Encoding.UTF8.GetByteCount(text) - text.Length;

    /// <summary>The problem without what must differ: the trace id and the id in the path.</summary>
    private static string Comparable(JsonObject problem, string id)
    {
        var copy = problem.DeepClone().AsObject();
        copy.Remove("traceId");
        copy["instance"] = copy["instance"]!.GetValue<string>().Replace(id, "{id}", StringComparison.Ordinal);
        return copy.ToJsonString();
    }
}
