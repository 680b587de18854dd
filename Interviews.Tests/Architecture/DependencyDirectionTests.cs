using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnitV3;
using Interviews.Domain;
using Interviews.Functions.Hosting;
using static ArchUnitNET.Fluent.Slices.SliceRuleDefinition;

namespace Interviews.Tests.Architecture;

/// <summary>
/// The direction of dependencies, as the README's design section states it: the domain depends on
/// nothing; the storage seam, the HTTP helpers (with authentication), the diagnostics names and the
/// event abstractions depend only on what is below them; each feature folder depends on those, and on
/// another feature only through an interface; only the composition root (Hosting, Program) sees
/// everything; nothing in the Functions app knows LocalHost; no cycle between folders.
/// </summary>
public sealed class DependencyDirectionTests
{
    private const string Root = "Interviews.Functions";

    private static readonly ArchUnitNET.Domain.Architecture Code = new ArchLoader()
        .LoadAssemblies(typeof(Interview).Assembly, typeof(InterviewsRegistration).Assembly, typeof(LocalHost.Program).Assembly)
        .Build();

    /// <summary>The shared folders below the features, and what each may use (besides the domain, always allowed above it).</summary>
    private static readonly Dictionary<string, string[]> Shared = new(StringComparer.Ordinal)
    {
        ["Settings"] = [],
        ["Diagnostics"] = [],
        ["Storage"] = ["Settings"],
        ["Queues"] = ["Storage", "Settings"],
        ["Http"] = [],
        ["Auth"] = ["Http", "Settings"],
        ["Events"] = ["Storage", "Queues", "Diagnostics", "Settings"],
    };

    /// <summary>The feature folders: each may use every shared folder, and another feature's interfaces only.</summary>
    private static readonly string[] Features = ["Interviews", "Reminders", "Calendar", "Insights", "Privacy", "Operations", "Integration"];

    /// <summary>The composition root: may use everything in the Functions app.</summary>
    private const string CompositionRoot = "Hosting";

    [Fact]
    public void Every_folder_of_the_functions_app_is_a_shared_folder_a_feature_or_the_composition_root()
    {
        var unknown = FunctionsTypes()
            .Select(t => FolderOf(t))
            .Where(folder => folder is not null && !Shared.ContainsKey(folder) && !Features.Contains(folder) && folder != CompositionRoot)
            .Distinct()
            .ToList();

        Assert.True(unknown.Count == 0, $"Folders with no place in the direction of dependencies: {string.Join(", ", unknown)}. Add each to this test and to the README's design section.");
    }

    [Fact]
    public void The_domain_depends_on_nothing_but_the_base_library()
    {
        var violations = Code.Types
            .Where(t => t.Namespace.FullName.StartsWith("Interviews.Domain", StringComparison.Ordinal))
            .SelectMany(t => t.Dependencies.Select(d => (From: t, To: d.Target)))
            .Where(d => !d.To.Namespace.FullName.StartsWith("System", StringComparison.Ordinal)
                && !d.To.Namespace.FullName.StartsWith("Interviews.Domain", StringComparison.Ordinal)
                && d.To.Namespace.FullName.Length > 0)
            .Select(Describe)
            .Distinct()
            .ToList();

        Assert.True(violations.Count == 0, "The domain depends on:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Shared_folders_depend_only_on_the_domain_and_the_shared_folders_below_them()
    {
        var violations = FunctionsDependencies()
            .Where(d => FolderOf(d.From) is { } from && Shared.TryGetValue(from, out var allowed)
                && FolderOf(d.To) is { } to && to != from && !allowed.Contains(to))
            .Select(Describe)
            .Distinct()
            .ToList();

        Assert.True(violations.Count == 0, "A shared folder reaches up or sideways:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Features_use_another_feature_only_through_its_interfaces()
    {
        var violations = FunctionsDependencies()
            .Where(d => FolderOf(d.From) is { } from && Features.Contains(from)
                && FolderOf(d.To) is { } to && to != from && Features.Contains(to)
                && d.To is not Interface)
            .Select(Describe)
            .Distinct()
            .ToList();

        Assert.True(violations.Count == 0, "A feature uses another feature's types, not an interface it publishes:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Nothing_but_the_composition_root_uses_the_composition_root()
    {
        var violations = FunctionsDependencies()
            .Where(d => FolderOf(d.To) == CompositionRoot && FolderOf(d.From) is { } from && from != CompositionRoot)
            .Select(Describe)
            .Distinct()
            .ToList();

        Assert.True(violations.Count == 0, "The composition root is used from below:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Nothing_in_the_functions_app_knows_LocalHost()
    {
        var violations = FunctionsTypes()
            .SelectMany(t => t.Dependencies.Select(d => (From: t, To: d.Target)))
            .Where(d => d.To.Namespace.FullName.StartsWith("Interviews.LocalHost", StringComparison.Ordinal))
            .Select(Describe)
            .Distinct()
            .ToList();

        Assert.True(violations.Count == 0, "The Functions app uses LocalHost:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void No_two_folders_depend_on_each_other_directly_or_in_a_ring() =>
        Slices().Matching(Root + ".(*)").Should().BeFreeOfCycles().Check(Code);

    private static IEnumerable<IType> FunctionsTypes() =>
        Code.Types.Where(t => t.Namespace.FullName.StartsWith(Root + ".", StringComparison.Ordinal));

    private static IEnumerable<(IType From, IType To)> FunctionsDependencies() =>
        FunctionsTypes().SelectMany(t => t.Dependencies.Select(d => (From: t, To: d.Target)));

    /// <summary>The folder (first namespace segment under the app) a type of the Functions app lives in; null outside it.</summary>
    private static string? FolderOf(IType type)
    {
        var name = type.Namespace.FullName;
        if (!name.StartsWith(Root + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = name[(Root.Length + 1)..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    private static string Describe((IType From, IType To) dependency) => $"  {dependency.From.FullName} -> {dependency.To.FullName}";
}
