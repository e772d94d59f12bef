using System.Collections.Concurrent;

namespace PolicyBot.Sandbox.Tests.Contracts;

/// <summary>
/// An HttpClient handler that checks every answer (and every JSON request body) against GitHub's description,
/// and records which operations were exercised.
/// </summary>
public sealed class ContractCheckingHandler(OpenApiContract contract, bool strict = false) : DelegatingHandler(new HttpClientHandler())
{
    /// <summary>
    /// When set, an answer that contradicts the description throws at once (statuses the description does not
    /// document, such as 405 from merge, are left alone); request bodies are not checked, since tests send bad ones on purpose.
    /// </summary>
    public bool Strict { get; } = strict;

    public ConcurrentBag<string> Violations { get; } = [];

    public ConcurrentDictionary<(string Method, string Template), int> Covered { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var method = request.Method.Method;
        var template = contract.FindTemplate(method, request.RequestUri!.AbsolutePath);
        if (template is not null && request.Content is not null && !Strict)
        {
            var requestBody = await request.Content.ReadAsStringAsync(cancellationToken);
            var requestResult = contract.ValidateRequest(method, template, requestBody);
            if (!requestResult.IsValid && !requestResult.Errors[0].Contains("documents no JSON request body", StringComparison.Ordinal))
            {
                Violations.Add(requestResult.ToString());
            }
        }

        var response = await base.SendAsync(request, cancellationToken);
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (template is null || (int)response.StatusCode == 304 || (mediaType is not null && mediaType != "application/json"))
        {
            // Raw media types (application/vnd.github.raw) are not what the JSON schema describes.
            return response;
        }

        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var result = contract.ValidateResponse(method, template, (int)response.StatusCode, body);
        if (!result.IsValid && Strict && !result.Errors[0].Contains("does not document status", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{method} {request.RequestUri.PathAndQuery} → {(int)response.StatusCode}: {result}");
        }

        if (!result.IsValid && !Strict)
        {
            Violations.Add($"{method} {request.RequestUri.PathAndQuery} → {(int)response.StatusCode}: {result}");
        }

        Covered.AddOrUpdate((method, template), 1, (_, n) => n + 1);
        return response;
    }
}
