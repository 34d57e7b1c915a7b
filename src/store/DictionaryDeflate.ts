/**
 * Raw deflate (RFC 1951) of short texts against a preset dictionary, for the activity log: many
 * values of about half a kilobyte, each compressed on its own, on the thread that serves requests.
 *
 * Why not `zlib.deflateRawSync(text, { dictionary })`: every call builds a zlib stream and re-hashes
 * the whole dictionary before reading its first input byte (deflateSetDictionary), about 15-20 µs per
 * activity here. This encoder hashes the dictionary once, when it is built, so a call only hashes its
 * own input. It writes a single block with the fixed Huffman codes, which is what zlib itself chooses
 * for inputs this small (checked on the activities of a bench conversation: same sizes within 5 %).
 * The output is standard raw deflate: any inflater given the same dictionary reads it (zlib does, in
 * the tests). `inflate` decodes fixed-code blocks itself (no native call, no stream object) and hands
 * any other deflate stream to zlib.
 */
import { inflateRawSync } from 'node:zlib';

/** Largest dictionary accepted: the rest of deflate's 32 KB window is left for the input itself. */
const MAX_DICTIONARY = 16 * 1024;
const WINDOW = 32 * 1024;
const HASH_BITS = 14;
const HASH_SIZE = 1 << HASH_BITS;
/** Candidates looked at per position: enough for short texts, bounded for long ones. */
const MAX_CHAIN = 16;
/** A match this long is taken without looking further. */
const GOOD_ENOUGH = 32;
/**
 * Positions inside a longer match are not indexed (as zlib's fast levels do): such a match mostly
 * copies the dictionary, whose positions are indexed already, and indexing is most of the cost.
 */
const MAX_INSERT = 4;
/**
 * Shortest match written (deflate allows 3): with the fixed codes a 3-byte match saves little or
 * nothing over 3 literals, and hashing 4 bytes gives fewer false candidates (measured: smaller and
 * faster).
 */
const MIN_MATCH = 4;
const MAX_MATCH = 258;
/** Work buffers kept between calls hold inputs up to this size; longer ones get their own. */
const KEPT_INPUT = 32 * 1024;
const END_OF_BLOCK = 256;

// Fixed Huffman codes (RFC 1951 3.2.6), bit-reversed because deflate packs codes from the most
// significant bit while the bit buffer fills from the least significant one.
const LIT_CODE = new Uint16Array(288);
const LIT_BITS = new Uint8Array(288);
for (let symbol = 0; symbol < 288; symbol++) {
  const [code, bits] =
    symbol < 144 ? [0x30 + symbol, 8] : symbol < 256 ? [0x190 + symbol - 144, 9] : symbol < 280 ? [symbol - 256, 7] : [0xc0 + symbol - 280, 8];
  LIT_CODE[symbol] = reverse(code, bits);
  LIT_BITS[symbol] = bits;
}
const DIST_CODE = new Uint8Array(30);
for (let d = 0; d < 30; d++) DIST_CODE[d] = reverse(d, 5);

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** Match length → index into LENGTH_BASE. */
const LENGTH_INDEX = new Uint8Array(MAX_MATCH + 1);
for (let i = 0; i < 29; i++) {
  const last = i === 28 ? MAX_MATCH : LENGTH_BASE[i + 1]! - 1;
  for (let len = LENGTH_BASE[i]!; len <= last; len++) LENGTH_INDEX[len] = i;
}
LENGTH_INDEX[MAX_MATCH] = 28; // 258 has its own code, not 227 + 31
/** Distance → index into DIST_BASE. */
const DIST_INDEX = new Uint8Array(WINDOW + 1);
for (let i = 0; i < 30; i++) {
  const last = i === 29 ? WINDOW : DIST_BASE[i + 1]! - 1;
  for (let d = DIST_BASE[i]!; d <= last; d++) DIST_INDEX[d] = i;
}
/** Next 9 bits of input (first bit read lowest) → literal/length symbol << 4 | code length. */
const LIT_DECODE = new Uint16Array(512);
for (let symbol = 0; symbol < 288; symbol++) {
  for (let i = LIT_CODE[symbol]!; i < 512; i += 1 << LIT_BITS[symbol]!) LIT_DECODE[i] = (symbol << 4) | LIT_BITS[symbol]!;
}
const DIST_DECODE = new Uint8Array(32);
for (let d = 0; d < 32; d++) DIST_DECODE[reverse(d, 5)] = d;

function reverse(code: number, bits: number): number {
  let r = 0;
  for (let i = 0; i < bits; i++) {
    r = (r << 1) | (code & 1);
    code >>>= 1;
  }
  return r;
}

/** Thrown for bytes that are not a deflate stream this dictionary can decode. */
export class CorruptDeflateError extends Error {
  override name = 'CorruptDeflateError';
}

/** Hash chains over dictionary + input: `prev[p]` is the previous position with p's hash. */
interface Work {
  buf: Buffer;
  prev: Int32Array;
  /** Output: room for every input byte as a 9-bit literal, plus header and end code. */
  out: Buffer;
}

/**
 * A deflater and inflater bound to one preset dictionary. Not reentrant (it keeps work buffers
 * between calls), which is fine on one JavaScript thread: a call never yields.
 */
export class DictionaryDeflate {
  private readonly dictionary: Buffer;
  private readonly dictHead = new Int32Array(HASH_SIZE).fill(-1);
  /** Input positions inserted by the current call, valid where `stamp[h] === epoch`. */
  private readonly inputHead = new Int32Array(HASH_SIZE);
  private readonly stamp = new Int32Array(HASH_SIZE);
  private epoch = 0;
  private readonly kept: Work;
  private readonly decodeBuf: Buffer;
  // State of the deflate call in progress.
  private buf: Buffer;
  private prev: Int32Array;
  private end = 0;
  private out: Buffer;
  private o = 0;
  private bits = 0;
  private count = 0;
  private matchDistance = 0;

  constructor(dictionary: Buffer) {
    if (dictionary.length < MIN_MATCH || dictionary.length > MAX_DICTIONARY) {
      throw new RangeError(`A deflate dictionary must hold ${MIN_MATCH} to ${MAX_DICTIONARY} bytes (got ${dictionary.length}).`);
    }
    this.dictionary = Buffer.from(dictionary);
    this.kept = this.newWork(KEPT_INPUT);
    const { buf, prev } = this.kept;
    this.buf = buf;
    this.prev = prev;
    this.out = this.kept.out;
    for (let p = 0; p + MIN_MATCH <= dictionary.length; p++) {
      const h = hash(buf, p);
      prev[p] = this.dictHead[h]!;
      this.dictHead[h] = p;
    }
    this.decodeBuf = Buffer.allocUnsafe(dictionary.length + KEPT_INPUT);
    this.dictionary.copy(this.decodeBuf, 0);
  }

  /**
   * Raw deflate of the UTF-8 bytes of `text`, as inflating with this dictionary gives them back,
   * after `headroom` bytes left for the caller (a format byte, say).
   */
  deflate(text: string, headroom = 0): Buffer {
    const dl = this.dictionary.length;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    let work = this.kept;
    if (text.length * 3 > KEPT_INPUT) {
      const size = Buffer.byteLength(text);
      if (size > KEPT_INPUT) {
        work = this.newWork(size);
        // Its own chains over the dictionary: copied (rare, long inputs only).
        work.prev.set(this.kept.prev.subarray(0, dl));
      }
    }
    const buf = work.buf;
    const end = dl + buf.write(text, dl, 'utf8');
    if (++this.epoch > 0x3fffffff) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    this.buf = buf;
    this.prev = work.prev;
    this.end = end;
    this.out = work.out;
    this.o = 0;
    this.bits = 0;
    this.count = 0;
    this.put(1, 1); // BFINAL: the only block
    this.put(1, 2); // BTYPE 01: fixed Huffman codes

    let p = dl;
    let best = this.longest(p);
    let distance = this.matchDistance;
    while (p < end) {
      if (best < MIN_MATCH) {
        const byte = buf[p]!;
        this.put(LIT_CODE[byte]!, LIT_BITS[byte]!);
        p++;
        best = this.longest(p);
        distance = this.matchDistance;
        continue;
      }
      // Lazy matching, as zlib does: when the next position starts a longer match, this byte goes
      // out as a literal and that match is taken instead.
      let from = p + 1;
      if (best < GOOD_ENOUGH && p + 1 < end) {
        const next = this.longest(p + 1);
        if (next > best) {
          const byte = buf[p]!;
          this.put(LIT_CODE[byte]!, LIT_BITS[byte]!);
          p++;
          best = next;
          distance = this.matchDistance;
          continue;
        }
        from = p + 2; // p + 1 is indexed already
      }
      this.putMatch(best, distance);
      const stop = Math.min(p + best, end - MIN_MATCH + 1);
      if (best <= MAX_INSERT) for (let q = from; q < stop; q++) this.insert(q);
      p += best;
      best = this.longest(p);
      distance = this.matchDistance;
    }
    this.put(LIT_CODE[END_OF_BLOCK]!, LIT_BITS[END_OF_BLOCK]!);
    if (this.count > 0) this.out[this.o++] = this.bits & 0xff;
    const result = Buffer.allocUnsafe(headroom + this.o);
    this.out.copy(result, headroom, 0, this.o);
    return result;
  }

  /** Appends `n` bits of `value` (least significant first) to the output. */
  private put(value: number, n: number): void {
    let bits = this.bits | (value << this.count);
    let count = this.count + n;
    while (count >= 8) {
      this.out[this.o++] = bits & 0xff;
      bits >>>= 8;
      count -= 8;
    }
    this.bits = bits;
    this.count = count;
  }

  private putMatch(length: number, distance: number): void {
    const li = LENGTH_INDEX[length]!;
    this.put(LIT_CODE[257 + li]!, LIT_BITS[257 + li]!);
    if (LENGTH_EXTRA[li]) this.put(length - LENGTH_BASE[li]!, LENGTH_EXTRA[li]!);
    const di = DIST_INDEX[distance]!;
    this.put(DIST_CODE[di]!, 5);
    if (DIST_EXTRA[di]) this.put(distance - DIST_BASE[di]!, DIST_EXTRA[di]!);
  }

  /** Indexes input position p (its MIN_MATCH bytes must be in the input). */
  private insert(p: number): void {
    const h = hash(this.buf, p);
    this.prev[p] = this.stamp[h] === this.epoch ? this.inputHead[h]! : this.dictHead[h]!;
    this.inputHead[h] = p;
    this.stamp[h] = this.epoch;
  }

  /**
   * Length of the longest match for position p among earlier positions, dictionary included (0 when
   * under MIN_MATCH); its distance goes to `matchDistance`. Indexes p.
   */
  private longest(p: number): number {
    const buf = this.buf;
    const end = this.end;
    if (p + MIN_MATCH > end) return 0;
    const prev = this.prev;
    const h = hash(buf, p);
    let candidate = this.stamp[h] === this.epoch ? this.inputHead[h]! : this.dictHead[h]!;
    prev[p] = candidate;
    this.inputHead[h] = p;
    this.stamp[h] = this.epoch;
    const limit = Math.min(MAX_MATCH, end - p);
    let best = 0;
    let chain = MAX_CHAIN;
    while (candidate >= 0 && p - candidate <= WINDOW && chain-- > 0) {
      // Cheap rejection first: a longer match must agree at the byte after the best so far.
      if (buf[candidate + best] === buf[p + best] && buf[candidate] === buf[p]) {
        let len = 1;
        while (len < limit && buf[candidate + len] === buf[p + len]) len++;
        if (len > best) {
          best = len;
          this.matchDistance = p - candidate;
          if (len >= GOOD_ENOUGH || len === limit) break;
        }
      }
      candidate = prev[candidate]!;
    }
    return best;
  }

  /**
   * The text a raw deflate stream made with this dictionary holds (UTF-8), the stream starting at
   * `data[start]`. Throws CorruptDeflateError when it is not such a stream.
   */
  inflate(data: Uint8Array, start = 0): string {
    // Only the single fixed-code final block that `deflate` writes is decoded here.
    if (data.length <= start || (data[start]! & 7) !== 3) return this.inflateWithZlib(data.subarray(start));
    const dl = this.dictionary.length;
    let buf = this.decodeBuf;
    let o = dl;
    let i = start;
    let bits = 0;
    let count = 0;
    const need = (n: number) => {
      while (count < n) {
        // Past the end, zero bits: a stream that really uses them is caught by the check below.
        bits |= (i < data.length ? data[i]! : 0) << count;
        i++;
        count += 8;
      }
    };
    const take = (n: number) => {
      need(n);
      const v = bits & ((1 << n) - 1);
      bits >>>= n;
      count -= n;
      return v;
    };
    take(3);
    for (;;) {
      need(9);
      const entry = LIT_DECODE[bits & 511]!;
      const len = entry & 15;
      bits >>>= len;
      count -= len;
      const symbol = entry >>> 4;
      if (symbol < 256) {
        if (o === buf.length) buf = grow(buf, o);
        buf[o++] = symbol;
        continue;
      }
      if (symbol === END_OF_BLOCK) break;
      const li = symbol - 257;
      if (li > 28) throw new CorruptDeflateError(`Invalid length code ${symbol}.`);
      const length = LENGTH_BASE[li]! + (LENGTH_EXTRA[li] ? take(LENGTH_EXTRA[li]!) : 0);
      const di = DIST_DECODE[take(5)]!;
      if (di > 29) throw new CorruptDeflateError(`Invalid distance code ${di}.`);
      const distance = DIST_BASE[di]! + (DIST_EXTRA[di] ? take(DIST_EXTRA[di]!) : 0);
      if (distance > o) throw new CorruptDeflateError('A match reaches before the dictionary.');
      if (o + length > buf.length) buf = grow(buf, o + length);
      // Byte by byte: a match may overlap the bytes it produces.
      for (let from = o - distance, stop = o + length; o < stop; ) buf[o++] = buf[from++]!;
    }
    // Bytes read beyond the input (at most the 2 of the last 9-bit peek) must be bytes not used.
    if (i - Math.floor(count / 8) > data.length) throw new CorruptDeflateError('The deflate stream is truncated.');
    return buf.toString('utf8', dl, o);
  }

  private inflateWithZlib(data: Uint8Array): string {
    try {
      return inflateRawSync(data, { dictionary: this.dictionary }).toString('utf8');
    } catch (err) {
      throw new CorruptDeflateError(`Not a deflate stream of this dictionary: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private newWork(inputSize: number): Work {
    const buf = Buffer.allocUnsafe(this.dictionary.length + inputSize);
    this.dictionary.copy(buf, 0);
    return { buf, prev: new Int32Array(buf.length), out: Buffer.allocUnsafe(Math.ceil((inputSize * 9) / 8) + 8) };
  }
}

/** Hash of the MIN_MATCH (4) bytes at p. */
function hash(buf: Buffer, p: number): number {
  return Math.imul((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!, 0x9e3779b1) >>> (32 - HASH_BITS);
}

/** A copy of `buf` with room for at least `needed` bytes (decoding an unusually long value). */
function grow(buf: Buffer, needed: number): Buffer {
  const bigger = Buffer.allocUnsafe(Math.max(needed, buf.length * 2));
  buf.copy(bigger, 0);
  return bigger;
}
