/**
 * DictionaryDeflate: its output is raw deflate that zlib reads with the same dictionary, its
 * inflater reads zlib's output, and corrupt input fails clearly.
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { CorruptDeflateError, DictionaryDeflate } from '../../src/store/DictionaryDeflate';

const dictionary = Buffer.from(
  '{"type":"message","text":"Bonjour, quelle démarche voulez-vous faire ?","from":{"id":"ariane","name":"Ariane","role":"bot"}} ' +
    'Cliquez sur « Mon Compte ». Écrivez votre code postal. 🇫🇷 العربية',
  'utf8',
);
const codec = new DictionaryDeflate(dictionary);

function expectBothInflate(text: string): Buffer {
  const bytes = codec.deflate(text);
  expect(codec.inflate(bytes)).toBe(text);
  expect(inflateRawSync(bytes, { dictionary }).toString('utf8')).toBe(text);
  return bytes;
}

/** Strings as deflate meets them: with repeats near and far, dictionary text, any code point. */
const textArb = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s, 'utf8').toString('utf8')),
  fc.tuple(fc.string({ maxLength: 30 }), fc.integer({ min: 1, max: 300 })).map(([s, n]) => s.repeat(n)),
  fc.array(fc.constantFrom('démarche', '"from":{"id":"ariane"', 'Cliquez sur « ', 'x', ' ', 'É', '🇫🇷', 'aaaaaaaa'), { maxLength: 200 }).map((parts) => parts.join('')),
);

/** A Huffman code as deflate packs it (most significant bit first), for `bits`. */
function huffman(code: number, length: number): [number, number] {
  let reversed = 0;
  for (let i = 0; i < length; i++) reversed |= ((code >> i) & 1) << (length - 1 - i);
  return [reversed, length];
}

/** Packs [value, bit count] fields least significant bit first, as deflate does. */
function bits(...fields: Array<[number, number]>): Buffer {
  const out: number[] = [];
  let acc = 0;
  let n = 0;
  for (const [value, count] of fields) {
    for (let i = 0; i < count; i++) {
      acc |= ((value >> i) & 1) << n++;
      if (n === 8) {
        out.push(acc);
        acc = 0;
        n = 0;
      }
    }
  }
  if (n) out.push(acc);
  return Buffer.from(out);
}

describe('DictionaryDeflate', () => {
  test('zlib and the built-in inflater both read what it writes', () => {
    fc.assert(
      fc.property(textArb, (text) => {
        expectBothInflate(text);
      }),
      { numRuns: 1000 },
    );
  });

  test('long inputs: beyond the kept work buffers and beyond the 32 KB window', () => {
    const random = Array.from({ length: 6000 }, (_, i) => String.fromCharCode(0x20 + ((i * 7919) % 90))).join('');
    for (const text of ['é'.repeat(20_000), random.repeat(10), `${random}${'-'.repeat(40_000)}${random}`, 'x'.repeat(300_000)]) {
      expectBothInflate(text);
    }
    expectBothInflate('short after long'); // the kept buffers still work
    expectBothInflate('');
  });

  test('text from the dictionary costs far less than its length', () => {
    const text = '{"type":"message","text":"Bonjour, quelle démarche voulez-vous faire ?"}';
    expect(expectBothInflate(text).length).toBeLessThan(12);
  });

  test('it reads what zlib writes with the same dictionary, fixed or dynamic codes', () => {
    fc.assert(
      fc.property(textArb, fc.constantFrom(1, 6, 9), fc.boolean(), (text, level, fixed) => {
        const bytes = deflateRawSync(text, { level, dictionary, ...(fixed ? { strategy: constants.Z_FIXED } : {}) });
        expect(codec.inflate(bytes)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  test('corrupt or truncated input fails with CorruptDeflateError, never hangs', () => {
    const bytes = codec.deflate('Cliquez sur « Mon Compte », puis sur « Mes attestations ».');
    expect(() => codec.inflate(bytes.subarray(0, bytes.length - 2))).toThrow(CorruptDeflateError);
    // A fixed-code block whose first match reaches before the dictionary: length 3 (code 257),
    // distance 32768 (code 29 + 13 extra bits) from the start of a shorter dictionary.
    const far = bits([1, 1], [1, 2], huffman(0b0000001, 7), huffman(29, 5), [8191, 13], huffman(0, 7));
    expect(() => codec.inflate(far)).toThrow(/before the dictionary/);
    // The same stream, read with a dictionary long enough, is fine.
    expect(() => codec.inflate(bits([1, 1], [1, 2], huffman(0b0000001, 7), huffman(0, 5), huffman(0, 7)))).not.toThrow();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(255), (random, first) => {
        const data = Buffer.from([first, ...random]);
        try {
          codec.inflate(data);
        } catch (err) {
          expect(err).toBeInstanceOf(CorruptDeflateError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('a dictionary is 4 bytes to 16 KB', () => {
    expect(() => new DictionaryDeflate(Buffer.alloc(3))).toThrow(RangeError);
    expect(() => new DictionaryDeflate(Buffer.alloc(16 * 1024 + 1))).toThrow(/4 to 16384 bytes/);
  });
});
