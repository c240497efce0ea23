# syntax=docker/dockerfile:1
# OrbitGrains container images, one per node kind, from one build:
#   docker build -t orbitgrains-frontend .                 the front end (the default target)
#   docker build --target silo -t orbitgrains-silo .       the headless silo
# Both run as the runtime image's non-root user (app, UID 1654), on PostgreSQL clustering, and are their own health
# check (`probe`: GET /healthz and /readyz over loopback). Recipes: deploy/compose and deploy/k8s; docs/operations.md.

ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
# Node.js and npm build the web client (WebFrontend/ClientApp) during the front end's publish.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Restore first, from the project files alone, so a source change does not download the packages again.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY GrainInterfaces/GrainInterfaces.csproj GrainInterfaces/
COPY Grains/Grains.csproj Grains/
COPY Silo/Silo.csproj Silo/
COPY WebFrontend/WebFrontend.csproj WebFrontend/
COPY WebFrontend/ClientApp/ClientApp.targets WebFrontend/ClientApp/
RUN dotnet restore WebFrontend/WebFrontend.csproj && dotnet restore Silo/Silo.csproj
COPY . .
RUN dotnet publish WebFrontend/WebFrontend.csproj -c Release --no-restore -o /out/frontend \
 && dotnet publish Silo/Silo.csproj -c Release --no-restore -o /out/silo

# Settings both node kinds share: a cluster on PostgreSQL, listening beyond loopback (it is a container), a writable
# data folder for the non-root user. Secrets and the connection string come from the orchestrator, never the image.
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
ENV ORLEANS_CLUSTERING=postgres \
    DATA_DIR=/data \
    ASPNETCORE_HTTP_PORTS=
RUN mkdir -p /data && chown "$APP_UID" /data
WORKDIR /app

FROM runtime AS silo
COPY --from=build /out/silo ./
ENV HEALTH_HOST=0.0.0.0 \
    HEALTH_PORT=8081
USER $APP_UID
# 8081: health, readiness and /metrics; 11111: silo-to-silo; 30000: gateway.
EXPOSE 8081 11111 30000
HEALTHCHECK --interval=10s --timeout=6s --start-period=60s --retries=3 CMD ["dotnet", "OrbitGrains.Silo.dll", "probe"]
ENTRYPOINT ["dotnet", "OrbitGrains.Silo.dll"]

FROM runtime AS frontend
COPY --from=build /out/frontend ./
ENV HOST=0.0.0.0 \
    PORT=8080 \
    OPERATOR__server__allow_external_bind=true
USER $APP_UID
# 8080: HTTP, WebSockets and SSE (TLS ends at the proxy or ingress); 11111: silo-to-silo; 30000: gateway.
EXPOSE 8080 11111 30000
HEALTHCHECK --interval=10s --timeout=6s --start-period=60s --retries=3 CMD ["dotnet", "OrbitGrains.WebFrontend.dll", "probe"]
ENTRYPOINT ["dotnet", "OrbitGrains.WebFrontend.dll"]
