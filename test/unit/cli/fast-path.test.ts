import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFastPath } from '../../../src/cli/fast-path.ts';
import { parseArgs } from '../../../src/cli/parse.ts';

// Every form status and connections are called with. The fast path must give exactly what
// the full parser gives, or the same command would behave differently with and without it.
const FAST_FORMS = [
  ['http', 'status'],
  ['http', 'status', '--json'],
  ['all', 'status', '--json'],
  ['all', 'status'],
  ['http', 'status', '--root', '/srv/app'],
  ['http', 'status', '--root=/srv/app', '--json'],
  ['--root', 'rel/dir', 'http', 'status', '--json'],
  ['http', '--json', 'status'],
  ['http', 'status', '-d'],
  ['http', 'status', '--watch', '--root', '/srv/app'],
  ['http', 'status', '-w'],
  ['ws', 'connections'],
  ['ws', 'connections', '--json', '--root', '/srv/app'],
  ['all', 'connections', '--json'],
];

// Forms the fast path leaves to the full parser: help, mistakes it would have to explain.
const FULL_PARSER_FORMS = [
  [],
  ['http'],
  ['http', 'start'],
  ['http', 'status', '--help'],
  ['http', 'status', '--bogus'],
  ['http', 'status', '--json', '--json'],
  ['http', 'status', '--root'],
  ['http', 'status', '--root', '/a', '--root', '/b'],
  ['http', 'status', 'extra'],
  ['http', 'connections', '-d'],
  ['http', 'status', '--json=false'],
  ['http', 'status', '--', '--json'],
  ['-x', 'status'],
];

test('the fast path parses every status / connections form as the full parser does', async () => {
  for (const argv of FAST_FORMS) {
    const fast = parseFastPath(argv);
    assert.ok(fast, `fast path for: ${argv.join(' ')}`);
    assert.deepEqual(fast, await parseArgs([...argv]), `same result for: ${argv.join(' ')}`);
  }
});

test('anything else goes to the full parser', () => {
  for (const argv of FULL_PARSER_FORMS) assert.equal(parseFastPath(argv), null, `not fast: ${argv.join(' ')}`);
});
