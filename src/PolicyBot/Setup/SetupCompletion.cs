namespace PolicyBot.Setup;

/// <summary>Set by <c>/setup/complete</c> in setup mode, which then stops the setup-mode app once its answer is sent.</summary>
internal sealed class SetupCompletion(IHostApplicationLifetime lifetime)
{
    private volatile bool _stored;

    public bool CredentialsStored => _stored;

    public void Stored(HttpContext context)
    {
        _stored = true;
        context.Response.OnCompleted(() =>
        {
            lifetime.StopApplication();
            return Task.CompletedTask;
        });
    }
}
