using System.Security.Cryptography;

namespace PolicyBot.GitHub;

/// <summary>Reads the app's private key from the setting or the file; messages name the setting, never the key.</summary>
internal static class GitHubPrivateKey
{
    /// <summary>Returns a problem to report, or null when a usable RSA key is configured.</summary>
    public static string? Check(GitHubOptions options, string contentRoot)
    {
        string pem;
        try
        {
            pem = ReadPem(options, contentRoot);
        }
        catch (InvalidOperationException ex)
        {
            return ex.Message;
        }

        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return null;
        }
        catch (ArgumentException)
        {
            return $"{SettingName(options)} is not a PEM-encoded RSA private key (PKCS#1 or PKCS#8).";
        }
        catch (CryptographicException)
        {
            return $"{SettingName(options)} is not a PEM-encoded RSA private key (PKCS#1 or PKCS#8).";
        }
    }

    /// <summary>Loads the key; the caller owns the returned <see cref="RSA"/>.</summary>
    public static RSA Load(GitHubOptions options, string contentRoot)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(ReadPem(options, contentRoot));
            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    private static string ReadPem(GitHubOptions options, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(options.PrivateKey))
        {
            // Environment variables often carry a PEM on one line with literal "\n" escapes.
            return options.PrivateKey.Replace("\\n", "\n", StringComparison.Ordinal).Trim();
        }

        if (!string.IsNullOrWhiteSpace(options.PrivateKeyPath))
        {
            var path = Path.IsPathRooted(options.PrivateKeyPath)
                ? options.PrivateKeyPath
                : Path.Combine(contentRoot, options.PrivateKeyPath);
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"GitHub:PrivateKeyPath (PRIVATE_KEY_PATH) names a file that does not exist: {path}");
            }

            return File.ReadAllText(path);
        }

        throw new InvalidOperationException("GitHub:PrivateKey or GitHub:PrivateKeyPath (PRIVATE_KEY / PRIVATE_KEY_PATH) is not set: the app's private key is required.");
    }

    private static string SettingName(GitHubOptions options) =>
        string.IsNullOrWhiteSpace(options.PrivateKey) ? "GitHub:PrivateKeyPath (PRIVATE_KEY_PATH)" : "GitHub:PrivateKey (PRIVATE_KEY)";
}
