import { ConflictError, MemoryStore, observeStore } from '../../src/store';

test('observeStore reports every call with its outcome and changes no behaviour', async () => {
  const seen: Array<[string, string]> = [];
  const store = observeStore(new MemoryStore(), (op, ms, outcome) => {
    expect(ms).toBeGreaterThanOrEqual(0);
    seen.push([op, outcome]);
  });
  expect(store.kind).toBe('memory');
  const { k } = await store.kv.set([{ key: 'k', value: 1 }]);
  await expect(store.kv.set([{ key: 'k', value: 2, etag: 'stale' }])).rejects.toBeInstanceOf(ConflictError);
  expect((await store.kv.get(['k'])).k).toEqual({ value: 1, etag: k });
  await expect(store.log.append('missing', {})).rejects.toThrow(/Unknown conversation/);
  await store.log.createConversation({ id: 'c', userId: 'u', createdAt: 0 });
  expect((await store.log.append('c', { text: 'x' })).watermark).toBe(1);
  expect((await store.commitTurn({ conversationId: 'c', appends: [{ activity: { text: 'y' } }], kv: [] })).appended[0]!.watermark).toBe(2);
  await expect(store.commitTurn({ conversationId: 'c', appends: [], kv: [{ key: 'k', value: 3, etag: 'stale' }] })).rejects.toBeInstanceOf(ConflictError);
  expect(seen).toEqual([
    ['kv.set', 'ok'],
    ['kv.set', 'conflict'],
    ['kv.get', 'ok'],
    ['log.append', 'error'],
    ['log.createConversation', 'ok'],
    ['log.append', 'ok'],
    ['commitTurn', 'ok'],
    ['commitTurn', 'conflict'],
  ]);
});

test('an observer that throws does not fail the call', async () => {
  const store = observeStore(new MemoryStore(), () => {
    throw new Error('metrics broken');
  });
  await expect(store.kv.set([{ key: 'k', value: 1 }])).resolves.toHaveProperty('k');
});
