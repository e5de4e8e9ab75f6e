# The product's image (production shape; see docker-compose.yml).
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git busybox-static ca-certificates curl haproxy \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# npm install, not npm ci: the lockfile pins every version but leaves other platforms' optional
# packages out, which npm ci refuses (see .ci/run)
RUN npm install --no-audit --no-fund
COPY . .
ENV MOTIA_ANALYTICS_DISABLED=true NODE_ENV=production PORT=3000
EXPOSE 3000
CMD ["node", "scripts/start.mjs"]
