using System.Globalization;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PolicyBot.Sandbox.Auth;

/// <summary>Makes GitHub App JWTs (RS256, iss = app id).</summary>
public static class AppJwt
{
    public static string Create(RSA key, long appId, DateTimeOffset issuedAt, TimeSpan lifetime) =>
        Create(key, appId.ToString(CultureInfo.InvariantCulture), issuedAt, lifetime);

    /// <summary>A JWT with any issuer: the app id, or the app's client id ("Iv1....").</summary>
    public static string Create(RSA key, string issuer, DateTimeOffset issuedAt, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(key);
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>
            {
                ["iss"] = issuer,
                ["iat"] = issuedAt.ToUnixTimeSeconds(),
                ["exp"] = issuedAt.Add(lifetime).ToUnixTimeSeconds(),
            },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key.ExportParameters(true)), SecurityAlgorithms.RsaSha256),
        };
        return handler.CreateToken(descriptor);
    }
}
