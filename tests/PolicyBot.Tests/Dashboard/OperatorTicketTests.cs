using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PolicyBot.Dashboard;
using PolicyBot.SignIn;

namespace PolicyBot.Tests.Dashboard;

/// <summary>
/// The operator cookie holds a signed, expiring ticket rather than the operator token: it never reveals the token,
/// lapses, dies with a changed token, and is accepted by every replica that shares the setting (no shared key ring).
/// </summary>
public sealed class OperatorTicketTests
{
    private const string Token = "operator-token-0123456789";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 1, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_ticket_is_accepted_by_another_replica_until_it_expires_and_never_holds_the_token()
    {
        var ticket = Replica(Token).IssueOperatorTicket(TimeSpan.FromHours(12));
        var other = Replica(Token);

        Assert.DoesNotContain(Token, ticket, StringComparison.Ordinal);
        Assert.True(other.IsOperator(WithCookie(ticket)));

        _time.Advance(TimeSpan.FromHours(12));
        Assert.False(other.IsOperator(WithCookie(ticket)));
    }

    [Fact]
    public void A_tampered_ticket_a_changed_token_or_the_raw_token_as_cookie_is_no_sign_in()
    {
        var access = Replica(Token);
        var ticket = access.IssueOperatorTicket(TimeSpan.FromHours(12));
        var parts = ticket.Split('.');
        var longer = string.Join('.', parts[0], (long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) + 86_400).ToString(System.Globalization.CultureInfo.InvariantCulture), parts[2], parts[3]);

        Assert.True(access.IsOperator(WithCookie(ticket)));
        Assert.False(access.IsOperator(WithCookie(longer)));
        Assert.False(access.IsOperator(WithCookie(ticket[..^2] + (ticket[^2] == 'A' ? "BA" : "AA"))));
        Assert.False(access.IsOperator(WithCookie(Token)));
        Assert.False(Replica("a-new-operator-token").IsOperator(WithCookie(ticket)));
    }

    private DashboardAccess Replica(string token) => new(
        Options.Create(new DashboardOptions { OperatorToken = token }),
        new GitHubSessionCookie(new EphemeralDataProtectionProvider(), _time),
        [],
        _time);

    private static DefaultHttpContext WithCookie(string value)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = $"{DashboardAccess.CookieName}={value}";
        return context;
    }
}
