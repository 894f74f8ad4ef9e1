# Flowsight's image: the dashboard built once, served by `node scripts/start.mjs` as uid 10001.
#   docker build -t flowsight:0.1.0 .
#   az acr build --registry <acr> --image flowsight:0.1.0 .     (builds in ACR, no local Docker)
# Deployed with the Helm chart in deploy/helm/flowsight (read-only root filesystem: /tmp, /data
# and /app/.next/cache are volumes there).

ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Every dependency (the build needs the dev ones: Tailwind, PostCSS), then `next build`. The
#    stamp records the source hash beside the build, so start.mjs never rebuilds what it serves.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node node_modules/next/dist/bin/next build \
 && node --input-type=module -e "import { sourceStamp, writeStamp } from './scripts/build-stamp.mjs'; writeStamp('.next', sourceStamp('.'))" \
 && rm -rf .next/cache

# 2. Production dependencies only; chdb's native library alone is ~540 MB of them. Its own layer,
#    rebuilt only when the lockfile changes.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. The runtime. The sources stay: start.mjs validates the configuration with lib/server/config.ts
#    (through tsx) and hashes them to check the build, and the server reads proto/ and its worker
#    files. Everything is root's and read-only to the app's user.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production FLOWSIGHT_HOST=0.0.0.0 FLOWSIGHT_REBUILD=0 FLOWSIGHT_DATA_DIR=/data NEXT_TELEMETRY_DISABLED=1
WORKDIR /app
# Debian's Chromium renders the evidence reports' map.png and report.pdf (playwright-core drives it and
# downloads no browser of its own), with DejaVu named so the pages' font is a chosen one rather than
# whichever alternative fontconfig's dependency pulls in. It costs a few hundred MB (chromium and
# chromium-common alone are about 340 MB installed on bookworm, before their libraries): its own
# layer, before the COPYs, so a source change keeps it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
# Chromium keeps its configuration and crash database under the home directory; uid 10001 has none and
# the root filesystem is read-only, which some Chromium releases do not survive: /tmp instead (a volume
# in the chart).
ENV CHROMIUM_PATH=/usr/bin/chromium XDG_CONFIG_HOME=/tmp/.chromium XDG_CACHE_HOME=/tmp/.chromium
RUN groupadd --system --gid 10001 flowsight \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin flowsight
COPY --from=deps /app/node_modules ./node_modules
COPY . .
COPY --from=build /app/.next ./.next
# Writable places when run without the chart's volumes (plain `docker run`).
RUN mkdir -p /data .next/cache && chown 10001:10001 /data .next/cache
USER 10001:10001
EXPOSE 3000
CMD ["node", "scripts/start.mjs"]
