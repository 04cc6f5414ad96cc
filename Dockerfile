# syntax=docker/dockerfile:1.7
#
# One image for all six Atrium services. The Helm chart picks the service per Deployment:
#   command: ["node"], args: ["dist/services/<name>/src/main.js"]
# Without arguments the image runs the gateway.
#
#   docker build -t atrium:0.1.0 .
#   docker run --rm -p 8080:8080 --env-file gateway.env atrium:0.1.0

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: full install, compile TypeScript to dist/ ----------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY . .
RUN npm run build && npm run build:web

# ---- prod-deps: production node_modules only --------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV CI=true \
    NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

# ---- runtime ----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="atrium" \
      org.opencontainers.image.description="Atrium collaboration platform services" \
      org.opencontainers.image.version="${VERSION}"

# A fixed non-root uid/gid 10001 (the chart's runAsUser/fsGroup); no home, no login shell.
RUN groupadd --system --gid 10001 atrium \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin atrium

WORKDIR /app
ENV NODE_ENV=production \
    HTTP_PORT=8080 \
    GRPC_PORT=50051

# Application files stay owned by root and read-only for the service user: the chart runs with a
# read-only root filesystem and mounts an emptyDir at /tmp, the only writable path.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json package-lock.json ./
COPY proto ./proto

USER 10001:10001
EXPOSE 8080 50051

# No entrypoint wrapper: node runs as PID 1 and receives SIGTERM directly (the services drain on
# it). Kubernetes overrides command/args per service.
ENTRYPOINT []
CMD ["node", "dist/services/gateway/src/main.js"]
