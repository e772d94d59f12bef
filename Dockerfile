# PolicyBot: the GitHub App host. Build: docker build -t policybot .
# Run:   docker run -p 8080:8080 -v policybot-data:/app/data -e APP_ID=... -e PRIVATE_KEY=... -e WEBHOOK_SECRET=... policybot

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore first, from the project files only, so that the layer is reused while only code changes.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/PolicyBot/PolicyBot.csproj src/PolicyBot/
COPY src/PolicyBot.Policies/PolicyBot.Policies.csproj src/PolicyBot.Policies/
COPY src/PolicyBot.Sandbox/PolicyBot.Sandbox.csproj src/PolicyBot.Sandbox/
RUN dotnet restore src/PolicyBot/PolicyBot.csproj

COPY app-manifest.yml ./
COPY src/ src/
RUN dotnet publish src/PolicyBot/PolicyBot.csproj --configuration Release --no-restore --output /app/publish /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final

# curl serves the HEALTHCHECK; nothing else is added to the runtime image.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY --from=build /app/publish .

# The SQLite database (Storage:Path, default data/policybot.db under the content root /app) lives on a volume.
RUN mkdir -p /app/data && chown app:app /app/data
VOLUME ["/app/data"]

# The non-root user the .NET images provide (uid 1654).
USER app

ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl --fail --silent --show-error http://localhost:8080/healthz || exit 1

ENTRYPOINT ["dotnet", "policybot.dll"]
CMD ["serve"]
