import type { FastifyPluginCallback, FastifyPluginOptions } from 'fastify';

/**
 * A plugin that is not encapsulated: its hooks, handlers and routes belong to
 * the instance it is registered on, as with fastify-plugin (which sets these
 * same two properties; it is not a dependency here). Fastify reads
 * `skip-override` to load the plugin in its parent's context, and the
 * display name in its errors and printPlugins().
 */
export function sharedPlugin<Options extends FastifyPluginOptions>(
  name: string,
  plugin: FastifyPluginCallback<Options>,
): FastifyPluginCallback<Options> {
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: name });
}
