import { errorBody, safeEqual } from '../../src/http';

describe('safeEqual', () => {
  it('compares secrets of any length without throwing', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcdef')).toBe(false);
    expect(safeEqual('', 'a-long-enough-admin-token')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});

describe('errorBody', () => {
  it('is the Direct Line error shape', () => {
    expect(errorBody('NotFound', 'Unknown conversation.')).toEqual({ error: { code: 'NotFound', message: 'Unknown conversation.' } });
  });
});
