import { ConflictError, IF_ABSENT, MemoryStore, UnknownConversationError } from '../../src/store';

test('memory store basics', async () => {
  const s = new MemoryStore();
  const e = await s.kv.set([{ key: 'a', value: { n: 1 } }]);
  expect((await s.kv.get(['a'])).a).toEqual({ value: { n: 1 }, etag: e.a });
  await expect(s.kv.set([{ key: 'a', value: 2, etag: 'stale' }])).rejects.toBeInstanceOf(ConflictError);
  await expect(s.kv.set([{ key: 'a', value: 2, etag: IF_ABSENT }])).rejects.toBeInstanceOf(ConflictError);
  await s.log.createConversation({ id: 'c', userId: 'u', createdAt: 1 });
  const a1 = await s.log.append('c', { text: 'x' }, 'k');
  const a2 = await s.log.append('c', { text: 'x' }, 'k');
  expect(a1.watermark).toBe(1);
  expect(a2).toEqual({ ...a1, duplicate: true });
  await expect(s.log.append('nope', {})).rejects.toBeInstanceOf(UnknownConversationError);
});
