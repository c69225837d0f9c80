// One integration scenario: a fresh project for the test, cleaned up afterwards whatever
// happens, and on failure everything its processes said attached to the error.
import type { TestContext } from 'node:test';
import { createProject, type CreateProjectOptions, type Project } from './project.js';

export function scenario(body: (p: Project, t: TestContext) => Promise<void>, options: CreateProjectOptions = {}): (t: TestContext) => Promise<void> {
  return async (t) => {
    const project = await createProject(t, options);
    try {
      await body(project, t);
    } catch (error) {
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
