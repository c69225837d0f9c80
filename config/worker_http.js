// The HTTP service. Every key is optional; README.md lists them all with units and defaults.
/** @type {import('drover').ServiceOptions} */
export default {
  listen: 'http://0.0.0.0:8000',
  count: 2,
  // app: 'app/express-app.js',  // a request listener (Express, Koa's callback()) or { fetch };
  //                             // without it, /module/Controller/action routes to app/<module>/controller/
  stopTimeout: 10_000,
  readyTimeout: 30_000,
};
