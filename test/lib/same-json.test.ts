import assert from 'node:assert/strict';
import { sameJson } from '../../lib/same-json';

describe('sameJson: equal as JSON would write them', () => {
  it('agrees with comparing JSON texts on plain data, whatever the order of properties', () => {
    const a = { id: 1, ids: { tmdb: 2, tvdb: null }, downloads: [{ id: 'X', progress: 0.5 }], title: 'A' };
    assert.equal(sameJson(a, structuredClone(a)), true);
    assert.equal(sameJson(a, { title: 'A', downloads: [{ progress: 0.5, id: 'X' }], ids: { tvdb: null, tmdb: 2 }, id: 1 }), true);
    assert.equal(sameJson(a, { ...a, title: 'B' }), false);
    assert.equal(sameJson(a, { ...a, ids: { tmdb: 2, tvdb: 3 } }), false);
    assert.equal(sameJson(a, { ...a, downloads: [] }), false);
    assert.equal(sameJson(a, { ...a, downloads: [{ id: 'X', progress: 0.6 }] }), false);
    assert.equal(sameJson(a, { ...a, extra: 0 }), false, 'a property only one side has');
    assert.equal(sameJson([1, 2], [2, 1]), false, 'arrays keep their order');
    assert.equal(sameJson({ list: [] }, { list: {} }), false, 'an array is not an object');
    assert.equal(sameJson(null, {}), false);
    assert.equal(sameJson(0, '0'), false);
  });

  it('a property set to undefined is one not there, as in JSON', () => {
    assert.equal(sameJson({ a: 1, b: undefined }, { a: 1 }), true);
    assert.equal(sameJson({ a: 1 }, { a: 1, b: undefined }), true);
    assert.equal(sameJson({ a: 1, b: undefined }, { a: 1, b: null }), false);
  });

  it('leaves the named top-level properties out, and only at the top', () => {
    const skip = new Set(['at']);
    assert.equal(sameJson({ state: 'x', at: '1' }, { state: 'x', at: '2' }, skip), true);
    assert.equal(sameJson({ state: 'x', at: '1' }, { state: 'x' }, skip), true);
    assert.equal(sameJson({ inner: { at: '1' } }, { inner: { at: '2' } }, skip), false);
  });
});
