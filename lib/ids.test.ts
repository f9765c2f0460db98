import { decodeTime } from "ulid";
import { describe, expect, it } from "vitest";
import { createUlidFactory, pooledRandom } from "./ids";

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe("pooledRandom", () => {
  it("gives fractions in [0, 1), spread evenly, across several refills of its pool", () => {
    const buckets = new Array(10).fill(0);
    const n = 20_000; // about 40 pools of 512
    const seen = new Set<number>();
    for (let i = 0; i < n; i++) {
      const x = pooledRandom();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      buckets[Math.floor(x * 10)]++;
      seen.add(x);
    }
    for (const count of buckets) expect(Math.abs(count - n / 10)).toBeLessThan(n / 10 / 5); // within 20 % of even
    expect(seen.size).toBeGreaterThan(n - 10); // not a repeating pool
  });
});

describe("createUlidFactory", () => {
  it("makes valid, distinct ULIDs carrying the current time", () => {
    const ulid = createUlidFactory();
    const before = Date.now();
    const ids = Array.from({ length: 5_000 }, () => ulid());
    const after = Date.now();
    for (const id of ids) expect(id).toMatch(ULID);
    expect(decodeTime(ids[0])).toBeGreaterThanOrEqual(before);
    expect(decodeTime(ids[ids.length - 1])).toBeLessThanOrEqual(after);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("ids of the same millisecond are not guessable from each other (no monotonic increment)", () => {
    const ulid = createUlidFactory();
    const ids = Array.from({ length: 200 }, () => ulid(1_700_000_000_000));
    const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    const randomPart = (id: string) => [...id.slice(10)].reduce((n, c) => n * 32n + BigInt(CROCKFORD.indexOf(c)), 0n);
    let close = 0;
    for (let i = 1; i < ids.length; i++) {
      const gap = randomPart(ids[i]) - randomPart(ids[i - 1]);
      if (gap > -(1n << 40n) && gap < 1n << 40n) close++; // a monotonic factory gives gap = 1 every time
    }
    expect(close).toBe(0);
  });

  it("two factories draw different random parts in the same millisecond", () => {
    const a = createUlidFactory()(1_700_000_000_000);
    const b = createUlidFactory()(1_700_000_000_000);
    expect(a.slice(0, 10)).toBe(b.slice(0, 10)); // the same time part
    expect(a.slice(10)).not.toBe(b.slice(10));
  });
});
