// A request the client got wrong (a request-target or Host header no URL can be built from, a
// body over the limit). It is answered with its status and logged nowhere: a stack trace per
// bad request would let any client fill the log (issue 9.7).
export class ClientError extends Error {
  constructor(
    readonly status: 400 | 404 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}
