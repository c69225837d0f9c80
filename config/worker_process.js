// The master's monitors. hotReload: in foreground (debug) mode, a saved file under `paths`
// triggers one debounced, zero-downtime rolling reload per burst of changes.
/** @type {import('drover').ProcessOptions} */
export default {
  hotReload: {
    enabled: true,
    inDaemon: false,
    paths: ['app', 'config'],
    extensions: ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'],
    ignore: [],
    debounceMs: 300,
  },
};
