import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store';
import { storeContract } from './storeContract';

const root = mkdtempSync(join(tmpdir(), 'ariane-sqlite-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

storeContract('sqlite', async (clock) => SqliteStore.open({ dataDir: join(root, `db${++n}`), now: clock.now }));
