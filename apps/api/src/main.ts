import 'reflect-metadata';
import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig, routeConsoleTo } from '@relayboard/config';
import { secretBoxFromConfig } from '@relayboard/secrets';
import { AppModule } from './app.module';
import { auditChanges } from './auth/audit.middleware';
import { AuditService } from './auth/audit.service';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { createApiLog, JsonNestLogger } from './common/json-logger';
import { requireJsonBodies } from './common/json-body';
import { NoUnknownQueryGuard } from './common/no-unknown-query.guard';

// JSON lines on stdout; LOG_LEVEL applies once the settings are read (a bad setting is logged at info).
let log = createApiLog('info');

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  log = createApiLog(config.logLevel);
  // Libraries that print to the console write JSON lines too.
  routeConsoleTo(log);
  // Here rather than only in the SECRET_BOX provider: a provider that throws makes Nest print a stack trace and abort.
  secretBoxFromConfig(config);
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    // Nest's Logger (every `new Logger(context)` in the api) writes through pino at LOG_LEVEL.
    logger: new JsonNestLogger(log),
    // Registered below: JSON only (no urlencoded forms), capped at API_JSON_BODY_LIMIT.
    bodyParser: false,
  });
  app.useGlobalFilters(new HttpExceptionFilter(config.api.jsonBodyLimit));
  app.useGlobalGuards(new NoUnknownQueryGuard());
  // Before the body checks, so that their refusals carry the CORS headers too.
  app.enableCors({ origin: config.web.url });
  app.use(requireJsonBodies);
  // Before the routes: it holds each successful change's answer until its audit entry is written.
  app.use(auditChanges(app.get(AuditService)));
  app.useBodyParser('json', { limit: config.api.jsonBodyLimit });
  app.enableShutdownHooks();
  // Uploads of large CSVs stream for as long as they take; Node's default would cut them at 5 minutes.
  const server = app.getHttpServer() as Server;
  server.requestTimeout = 0;
  // Idle keep-alive connections are kept longer than clients and proxies keep theirs (fetch/undici: at most 4 s,
  // load balancers: 60 s), so the api never closes one just as a client sends on it ("other side closed").
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await app.listen(config.api.port, config.api.host);
  log.info({ context: 'api' }, `Relayboard api listening on http://${config.api.host}:${config.api.port}`);
}

bootstrap().catch((error: Error) => {
  log.fatal({ context: 'api' }, `Relayboard api failed to start: ${error.message}`);
  process.exit(1);
});
