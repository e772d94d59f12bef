namespace PolicyBot.Enforcement;

/// <summary>A repository's full name, <c>owner/name</c>, as GitHub writes it.</summary>
internal static class RepositoryName
{
    /// <summary>Owner and name of <paramref name="fullName"/>; the name is everything after the first slash.</summary>
    public static (string Owner, string Name) Split(string fullName)
    {
        ArgumentNullException.ThrowIfNull(fullName);
        var slash = fullName.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (fullName, "") : (fullName[..slash], fullName[(slash + 1)..]);
    }
}
