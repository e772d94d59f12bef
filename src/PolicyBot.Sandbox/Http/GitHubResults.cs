using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace PolicyBot.Sandbox.Http;

/// <summary>GitHub-shaped answers: JSON bodies, error messages, pagination with Link headers.</summary>
internal static class GitHubResults
{
    public const string DocumentationUrl = "https://docs.github.com/rest";

    public static IResult Json(JsonNode? node, int status = 200) =>
        Results.Text(node?.ToJsonString() ?? "null", "application/json; charset=utf-8", statusCode: status);

    public static IResult Error(int status, string message, JsonArray? errors = null)
    {
        var body = new JsonObject
        {
            ["message"] = message,
            ["documentation_url"] = DocumentationUrl,
            ["status"] = status.ToString(CultureInfo.InvariantCulture),
        };
        if (errors is not null)
        {
            body["errors"] = errors;
        }

        return Json(body, status);
    }

    public static IResult NotFound() => Error(404, "Not Found");

    public static IResult Validation(string message, string resource, string field, string code = "invalid") =>
        Error(422, message, [new JsonObject { ["resource"] = resource, ["field"] = field, ["code"] = code }]);

    public static IResult NoContent() => Results.StatusCode(204);

    /// <summary>Pages a list as GitHub does: per_page (default 30, max 100), page, and a Link header.</summary>
    public static IResult Paged(HttpContext context, IEnumerable<JsonNode> items) => Json(Page(context, items));

    public static JsonArray Page(HttpContext context, IEnumerable<JsonNode> items)
    {
        // A Select over a list (or a sorted list) counts without running its selector, and Skip/Take then shapes only
        // the requested page: paging through 10,000 repositories must not build 10,000 objects per page.
        if (!items.TryGetNonEnumeratedCount(out var count))
        {
            var all = items.ToList();
            items = all;
            count = all.Count;
        }

        var (page, perPage) = PageParameters(context);
        var last = Math.Max(1, (int)Math.Ceiling(count / (double)perPage));
        SetLink(context, page, last, perPage);
        return [.. items.Skip((page - 1) * perPage).Take(perPage).Select(n => n.Parent is null ? n : n.DeepClone())];
    }

    public static (int Page, int PerPage) PageParameters(HttpContext context)
    {
        var perPage = int.TryParse(context.Request.Query["per_page"], CultureInfo.InvariantCulture, out var p) ? Math.Clamp(p, 1, 100) : 30;
        var page = int.TryParse(context.Request.Query["page"], CultureInfo.InvariantCulture, out var n) ? Math.Max(1, n) : 1;
        return (page, perPage);
    }

    public static void SetLink(HttpContext context, int page, int last, int perPage)
    {
        if (last <= 1)
        {
            return;
        }

        var request = context.Request;
        string Url(int target)
        {
            var query = request.Query
                .Where(q => q.Key is not "page" and not "per_page")
                .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
                .Append($"per_page={perPage}")
                .Append($"page={target}");
            return $"<{request.Scheme}://{request.Host}{request.PathBase}{request.Path}?{string.Join('&', query)}>";
        }

        var links = new List<string>();
        if (page > 1)
        {
            links.Add($"{Url(page - 1)}; rel=\"prev\"");
        }

        if (page < last)
        {
            links.Add($"{Url(page + 1)}; rel=\"next\"");
            links.Add($"{Url(last)}; rel=\"last\"");
        }

        if (page > 1)
        {
            links.Add($"{Url(1)}; rel=\"first\"");
        }

        context.Response.Headers["Link"] = string.Join(", ", links);
    }
}
