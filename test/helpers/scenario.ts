// One integration scenario: a fresh project for the test, cleaned up afterwards whatever
// happens, and on failure everything its processes said attached to the error.
import type { TestContext } from 'node:test';
import { createProject, type CreateProjectOptions, type Project } from './project.js';

export interface ScenarioOptions extends CreateProjectOptions {
  /** Warning/error log lines this test causes on purpose; any other one fails it (log-invariant.ts). */
  allowLog?: RegExp[];
}

export function scenario(body: (p: Project, t: TestContext) => Promise<void>, options: ScenarioOptions = {}): (t: TestContext) => Promise<void> {
  return async (t) => {
    const project = await createProject(t, options);
    project.allowLog = options.allowLog ?? [];
    try {
      await body(project, t);
      project.assertQuietLogs();
    } catch (error) {
      project.logsChecked = true;
      const said = `\n\n════ what the processes said (project ${project.root}) ════\n${project.explain()}\n`;
      if (error instanceof Error) {
        error.message += said;
        if (error.stack) error.stack += said;
      } else {
        t.diagnostic(said);
      }
      throw error;
    }
  };
}
