using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Auth;

/// <summary>Checks credentials as GitHub does: app JWTs (RS256, iss = app id, at most 10 minutes), installation tokens, sandbox people.</summary>
internal sealed class CredentialValidator(SimulatorState state, RSA appKey, long appId, TimeProvider timeProvider)
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(60);
    private readonly JsonWebTokenHandler _handler = new();
    private readonly RsaSecurityKey _key = new(appKey.ExportParameters(false));

    public Caller Resolve(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return Caller.Anonymous;
        }

        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            return new Caller(TokenKind.None, null, Error: "Bad credentials");
        }

        var scheme = authorization[..space];
        var credential = authorization[(space + 1)..].Trim();
        if (!scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("token", StringComparison.OrdinalIgnoreCase))
        {
            return new Caller(TokenKind.None, null, Error: "Bad credentials");
        }

        if (credential.StartsWith("sandbox:", StringComparison.Ordinal))
        {
            var login = credential["sandbox:".Length..];
            lock (state.Sync)
            {
                var known = state.Orgs.Values.Any(o => o.Members.ContainsKey(login));
                return known
                    ? new Caller(TokenKind.Sandbox, credential, Login: state.Accounts.TryGetValue(login, out var a) ? a.Login : login)
                    : new Caller(TokenKind.Sandbox, null, Error: "Bad credentials");
            }
        }

        if (credential.StartsWith("ghs_", StringComparison.Ordinal))
        {
            lock (state.Sync)
            {
                if (!state.Tokens.TryGetValue(credential, out var token) || token.ExpiresAt <= timeProvider.GetUtcNow())
                {
                    return new Caller(TokenKind.Installation, null, Error: "Bad credentials");
                }

                return new Caller(TokenKind.Installation, Http.RateLimiter.InstallationKey(token.InstallationId), InstallationId: token.InstallationId);
            }
        }

        if (credential.StartsWith("ghu_", StringComparison.Ordinal))
        {
            lock (state.Sync)
            {
                return state.UserTokens.TryGetValue(credential, out var token) && token.ExpiresAt > timeProvider.GetUtcNow()
                    ? new Caller(TokenKind.UserToServer, credential, Login: token.Login)
                    : new Caller(TokenKind.UserToServer, null, Error: "Bad credentials");
            }
        }

        if (credential.Count(c => c == '.') == 2)
        {
            return ValidateJwt(credential);
        }

        return new Caller(TokenKind.None, null, Error: "Bad credentials");
    }

    private Caller ValidateJwt(string jwt)
    {
        JsonWebToken token;
        try
        {
            token = _handler.ReadJsonWebToken(jwt);
        }
        catch (ArgumentException)
        {
            return JwtError("A JSON web token could not be decoded");
        }

        var now = timeProvider.GetUtcNow();
        var parameters = new TokenValidationParameters
        {
            ValidateAudience = false,
            ValidateIssuer = false,
            ValidateLifetime = false, // checked below against the simulator's clock, with GitHub's messages
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        };
        var result = _handler.ValidateTokenAsync(token, parameters).GetAwaiter().GetResult();
        if (!result.IsValid)
        {
            return JwtError("A JSON web token could not be decoded");
        }

        // GitHub accepts the app id or, lately, the app's client id as the issuer.
        var issuer = token.TryGetPayloadValue<object>("iss", out var iss) ? Convert.ToString(iss, System.Globalization.CultureInfo.InvariantCulture) : null;
        if (issuer != appId.ToString(System.Globalization.CultureInfo.InvariantCulture) && issuer != ClientId(appId))
        {
            return JwtError("A JSON web token could not be decoded");
        }

        if (!token.TryGetPayloadValue<long>("exp", out var exp) || !token.TryGetPayloadValue<long>("iat", out var iat))
        {
            return JwtError("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires");
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(exp);
        var issued = DateTimeOffset.FromUnixTimeSeconds(iat);
        if (expires - issued > TimeSpan.FromMinutes(10) + ClockSkew || expires > now + TimeSpan.FromMinutes(10) + ClockSkew)
        {
            return JwtError("'Expiration time' claim ('exp') is too far in the future");
        }

        if (expires + ClockSkew < now)
        {
            return JwtError("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires");
        }

        if (issued > now + ClockSkew)
        {
            return JwtError("'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued");
        }

        return new Caller(TokenKind.AppJwt, "app:" + appId);
    }

    private static Caller JwtError(string message) => new(TokenKind.AppJwt, null, Error: message);

    /// <summary>The app's OAuth client id, as GET /app reports it.</summary>
    public static string ClientId(long appId) => $"Iv1.{appId:x8}";
}
