import express, { RequestHandler } from 'express';

/**
 * A JSON body parser for one route, with its own size limit. Mount it on
 * the routes that take a body, never with a bare `router.use`: every router
 * of the plugin sees every request, and the first parser to run decides the
 * limit for all of them.
 */
export function jsonBody(options: { limit: string }): RequestHandler {
  return express.json({ limit: options.limit });
}
