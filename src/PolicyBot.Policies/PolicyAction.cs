namespace PolicyBot.Policies;

/// <summary>What PolicyBot does about a policy's findings; each level includes the ones before it.</summary>
public enum PolicyAction
{
    Off = 0,
    Log = 1,
    Issue = 2,
    Fix = 3,
}
