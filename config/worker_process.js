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
  // A production start (start -d) runs the compiled JavaScript in <outDir>/app when it exists
  // (npm run build puts it there); debug mode always runs the TypeScript sources.
  build: { outDir: 'dist' },
};
