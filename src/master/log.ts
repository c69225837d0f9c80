// One line per event, with a timestamp and who speaks. In daemon mode stdout is the log file.
export type Logger = (message: string) => void;

export function createLogger(service: string, role = 'master'): Logger {
  const prefix = `${service} ${role} ${process.pid}`;
  return (message) => {
    process.stdout.write(`${new Date().toISOString()} [${prefix}] ${message}\n`);
  };
}
