// Scenario 7 (issue 6 item 7), a placeholder until it is written: file save → new code
// answering (target ≤ 1 s), with the count of failed requests meanwhile (target 0), under the
// same closed-loop keep-alive load as the reload scenario (lib/http-load.mjs; see reload.mjs
// for how a window of that load is cut out and compared with the steady part).
export const id = 'hot-reload';
export const title = 'Hot reload: file save → new code answering';

export async function run() {
  return { title, skipped: 'not written yet (issue 6 item 7): a placeholder for the hot reload scenario' };
}
