import { MemoryStore } from '../../src/store';
import { storeContract } from './storeContract';

storeContract('memory', async (clock) => new MemoryStore({ now: clock.now }));
