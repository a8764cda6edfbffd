# syntax=docker/dockerfile:1
# Vigil: build everything in one stage, run from a slim stage with production dependencies only.
# apps/server/test/deploy-image.test.ts replays the runtime stage's COPY and RUN npm ci lines
# (Docker cannot run on the CI machines), so keep one source per COPY line.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/db/package.json packages/db/
COPY packages/enrich/package.json packages/enrich/
COPY packages/sdk/package.json packages/sdk/
COPY apps/dashboard/package.json apps/dashboard/
COPY apps/server/package.json apps/server/
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8585 \
    VIGIL_DATA_DIR=/data
WORKDIR /app
COPY package.json ./
COPY package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/db/package.json packages/db/
COPY packages/enrich/package.json packages/enrich/
COPY packages/sdk/package.json packages/sdk/
COPY apps/dashboard/package.json apps/dashboard/
COPY apps/server/package.json apps/server/
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/packages/core/dist packages/core/dist
COPY --from=build /app/packages/db/dist packages/db/dist
COPY --from=build /app/packages/db/migrations packages/db/migrations
COPY --from=build /app/packages/enrich/dist packages/enrich/dist
COPY --from=build /app/packages/enrich/assets packages/enrich/assets
COPY --from=build /app/packages/sdk/dist packages/sdk/dist
COPY --from=build /app/apps/server/dist apps/server/dist
COPY --from=build /app/apps/server/bin apps/server/bin
COPY --from=build /app/apps/dashboard/dist apps/dashboard/dist
# The embedded database (when DATABASE_URL is unset) lives in a volume owned by the runtime user.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8585
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8585)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "apps/server/dist/main.js"]
CMD ["start"]
