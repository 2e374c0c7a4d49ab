# Breaks every rule docker/dockerfile-rules.ts knows; the spec checks each is reported.
FROM node:latest
ARG NPM_TOKEN
ENV DATABASE_PASSWORD=hunter2
WORKDIR /app
COPY .env ./
COPY deploy/server.key /etc/ssl/
COPY . .
RUN npm install
CMD node dist/apps/gateway/main.js
