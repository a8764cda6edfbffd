import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/**
 * The project a piece of work runs for, so that the shared enricher can keep only that project's
 * operator-list matches. The ingest path calls `enricher.enrich(event)` without a project; the
 * public context runs each authenticated request's handler inside its project's scope (the
 * preHandler hook below), and the enricher reads it from there. Code that knows its project
 * (re-enrichment, the console) passes it explicitly instead (`enrich(event, { projectId })` or
 * `forProject(id)`). Outside any scope no list matches at all: a missing scope fails closed.
 */
const scope = new AsyncLocalStorage<string>();

export function runInProject<T>(projectId: string, fn: () => T): T {
  return scope.run(projectId, fn);
}

export function currentProjectId(): string | undefined {
  return scope.getStore();
}

/**
 * Fastify preHandler hook for the public context: runs the rest of the request (the handler is
 * invoked from `done`) in the authenticated project's scope.
 */
export function projectScopeHook(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const project = (request as { project?: { id: string } }).project;
  if (project) scope.run(project.id, done);
  else done();
}
