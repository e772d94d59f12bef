using System.Text.Json.Nodes;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

/// <summary>Pull request state changes shared by several endpoints. Call under the state lock.</summary>
internal static class Pulls
{
    /// <summary>A push to a branch that heads open pull requests makes them synchronize.</summary>
    public static void OnHeadPushed(SimulatorContext sim, SimOrg org, SimRepo repo, string branch, string? before, SimAccount sender)
    {
        foreach (var pull in repo.Pulls.Where(p => p.State == "open" && p.Head == branch))
        {
            pull.UpdatedAt = sim.Now;
            sim.Send("pull_request", org, repo, sender, new JsonObject
            {
                ["action"] = "synchronize",
                ["number"] = pull.Number,
                ["before"] = before,
                ["after"] = repo.Branches[branch],
                ["pull_request"] = PullShapes.Pull(sim, repo, pull),
            });
        }
    }
}
