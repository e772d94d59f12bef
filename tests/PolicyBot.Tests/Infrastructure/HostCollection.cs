namespace PolicyBot.Tests.Infrastructure;

/// <summary>
/// Tests that host the whole app run one at a time: the machine has two cores, and each host runs
/// its own workers.
/// </summary>
[CollectionDefinition(Name)]
public sealed class HostCollection
{
    public const string Name = "host";
}
