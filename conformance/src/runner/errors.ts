/** A bad option, flag, config or baseline file: the CLI exits 2. */
export class ConformanceConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceConfigError';
  }
}

/** The server could not be reached at all: the CLI exits 2. */
export class ServerUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerUnreachableError';
  }
}
