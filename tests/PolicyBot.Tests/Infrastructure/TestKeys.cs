using System.Security.Cryptography;

namespace PolicyBot.Tests.Infrastructure;

/// <summary>RSA keys made once per test run (2048-bit generation is slow).</summary>
internal static class TestKeys
{
    private static readonly Lazy<RSA> Key = new(() => RSA.Create(2048));

    public static RSA Rsa => Key.Value;

    public static string Pkcs1Pem => Key.Value.ExportRSAPrivateKeyPem();

    public static string Pkcs8Pem => Key.Value.ExportPkcs8PrivateKeyPem();
}
