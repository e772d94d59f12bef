using System.Globalization;
using Octokit;
using Octokit.Internal;

namespace PolicyBot.GitHub.Budget;

/// <summary>Reads GitHub's <c>x-ratelimit-*</c> headers off every answer to an installation's requests into its <see cref="RateLimitBudget"/>.</summary>
internal sealed class RateLimitBudgetHttpClient(IHttpClient inner, RateLimitBudget budget, long installationId) : IHttpClient
{
    public async Task<IResponse> Send(IRequest request, CancellationToken cancellationToken, Func<object, object>? preprocessResponseBody = null)
    {
        var response = await inner.Send(request, cancellationToken, preprocessResponseBody).ConfigureAwait(false);
        if (Parse(response.Headers) is { } window)
        {
            await budget.RecordAsync(installationId, window, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    public void SetRequestTimeout(TimeSpan timeout) => inner.SetRequestTimeout(timeout);

    public void Dispose() => inner.Dispose();

    internal static RateLimitWindow? Parse(IReadOnlyDictionary<string, string> headers)
    {
        string? Header(string name) => headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
        static int? Int(string? value) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

        if (Int(Header("x-ratelimit-limit")) is not { } limit || Int(Header("x-ratelimit-remaining")) is not { } remaining
            || !long.TryParse(Header("x-ratelimit-reset"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var reset))
        {
            return null;
        }

        var resource = Header("x-ratelimit-resource") ?? "core";
        return new RateLimitWindow(resource, limit, remaining, Int(Header("x-ratelimit-used")) ?? limit - remaining, DateTimeOffset.FromUnixTimeSeconds(reset));
    }
}
