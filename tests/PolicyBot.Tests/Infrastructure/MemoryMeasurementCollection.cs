namespace PolicyBot.Tests.Infrastructure;

/// <summary>
/// Tests that measure the process's managed memory run alone: allocations of tests running beside them in the same
/// process would be counted as theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    public const string Name = "Memory measurements";
}
