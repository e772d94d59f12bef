using System.Globalization;

namespace PolicyBot.Storage;

/// <summary>SQL about <see cref="WorkTriggers"/> that both providers share (plain SQL: integers, <c>|</c>, <c>&amp;</c>, <c>MAX</c>).</summary>
internal static class WorkTriggerSql
{
    /// <summary>
    /// Upgrade only: items stored before triggers existed get them from the reason the router wrote then. This is the one
    /// place a reason's text is read, once, for rows written by an older version; new items carry typed triggers.
    /// </summary>
    public static string FromReasons { get; } = string.Create(CultureInfo.InvariantCulture, $"""
        UPDATE work_items SET triggers = triggers
            | CASE WHEN reason = 'repository.created' THEN {(int)WorkTriggers.RepositoryCreated} ELSE 0 END
            | CASE WHEN reason LIKE '%.rerequested' THEN {(int)WorkTriggers.RerunRequested} ELSE 0 END
            | CASE WHEN reason LIKE 'push:%' THEN {(int)WorkTriggers.PolicyFilesChanged} ELSE 0 END
            | CASE WHEN reason = 'reconcile' THEN {(int)WorkTriggers.Reconcile} ELSE 0 END
            | CASE WHEN kind = 'evaluate-installation' AND reason IN ('installation.created', 'installation.unsuspend', 'installation.new_permissions_accepted')
                   THEN {(int)WorkTriggers.RestoresInstallation} ELSE 0 END,
            created_by = CASE WHEN reason = 'repository.created' THEN actor ELSE NULL END
        WHERE state IN ('pending', 'running', 'dead');
        """);

    /// <summary>
    /// Merges the triggers (and creator) of the items matching <paramref name="filter"/> (unqualified columns) into the
    /// equal pending item, before they step aside for it. Flag by flag with <c>MAX</c>, since SQLite has no <c>BIT_OR</c>.
    /// </summary>
    public static string MergeIntoPending(string filter)
    {
        var source = $"FROM work_items s WHERE s.coalescing_key = work_items.coalescing_key AND s.id <> work_items.id AND ({filter})";
        var flags = string.Join(
            " | ",
            Enum.GetValues<WorkTriggers>().Where(t => t is not (WorkTriggers.None or WorkTriggers.Retried))
                .Select(t => string.Create(CultureInfo.InvariantCulture, $"COALESCE(MAX(s.triggers & {(int)t}), 0)")));
        return $"""
            UPDATE work_items SET
                triggers = triggers | {(int)WorkTriggers.Coalesced} | (SELECT {flags} {source}),
                created_by = COALESCE(created_by, (SELECT MAX(s.created_by) {source}))
            WHERE state = 'pending' AND EXISTS (SELECT 1 {source});
            """;
    }
}
