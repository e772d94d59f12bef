using Microsoft.Extensions.Options;

namespace PolicyBot.Enforcement;

/// <summary>Settings of section <c>Enforcement</c>.</summary>
public sealed class EnforcementOptions
{
    public const string SectionName = "Enforcement";

    /// <summary>Where PolicyBot's dashboard is reachable, for links from issues and check runs; none when null.</summary>
    public Uri? PublicUrl { get; set; }
}

/// <summary>A relative or non-web <see cref="EnforcementOptions.PublicUrl"/> would make every link, and so every evaluation, fail.</summary>
internal sealed class EnforcementOptionsValidation : IValidateOptions<EnforcementOptions>
{
    public ValidateOptionsResult Validate(string? name, EnforcementOptions options) =>
        options.PublicUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            ? ValidateOptionsResult.Fail($"Enforcement:PublicUrl must be an absolute http(s) URL such as https://policybot.example.com/ (it is '{url.OriginalString}').")
            : ValidateOptionsResult.Success;
}
