import { RefusedEventError } from '../errors';
import { MAX_EPISODES, type EpisodeKey, type EpisodeRef } from '../events';
import type { EpisodeRecord } from '../model';
import type { EpisodeState } from '../states';

export class TooManyEpisodesError extends RefusedEventError {}

const byNumber = (a: EpisodeKey, b: EpisodeKey) => a.season - b.season || a.episode - b.episode;

/** An episode's place as one number, for the index (cheaper than a key string for a 50,000-episode show). */
const numberOf = (e: EpisodeKey) => e.season * 1_000_000 + e.episode;

type EpisodeIndex = { byKey: Map<number, EpisodeRecord>; byTvdb: Map<number, EpisodeRecord> };

/**
 * The index of an episode list an event produced, handed to the next event applied to that list, so a
 * long show's next event does not index its every episode again. An event takes its list's index (a
 * list reduced twice builds it again) and leaves it under the list it produces.
 */
const indexes = new WeakMap<readonly EpisodeRecord[], EpisodeIndex>();

/**
 * A request's episodes while one event is applied, so that the event costs in proportion to its own
 * episodes, not the show's: episodes are found through an index (by season and number, and by their
 * own TVDB id), and copied only when changed (copy on write): an episode the event leaves alone stays
 * the very object it was, which is how the store knows what to write.
 */
export class EpisodeEdits {
  private index: EpisodeIndex | undefined;
  /**
   * The index is the one a fresh build on the result would be. Not so once two episodes claimed one
   * TVDB id, or an episode's id changed: the next event builds its own then.
   */
  private handOver = true;
  /** Original -> its writable copy. */
  private readonly copies = new Map<EpisodeRecord, EpisodeRecord>();
  private readonly added: EpisodeRecord[] = [];
  /** Copies and added episodes: changed in place. */
  private readonly writable = new Set<EpisodeRecord>();

  constructor(private readonly original: EpisodeRecord[]) {}

  get size(): number {
    return this.original.length + this.added.length;
  }

  private indexed(): EpisodeIndex {
    if (!this.index) {
      this.index = indexes.get(this.original);
      indexes.delete(this.original);
    }
    if (!this.index) {
      const byKey = new Map<number, EpisodeRecord>();
      const byTvdb = new Map<number, EpisodeRecord>();
      for (const e of this.original) {
        byKey.set(numberOf(e), e);
        if (e.tvdbId !== null && !byTvdb.has(e.tvdbId)) byTvdb.set(e.tvdbId, e);
      }
      this.index = { byKey, byTvdb };
    }
    return this.index;
  }

  private current(e: EpisodeRecord): EpisodeRecord {
    return this.copies.get(e) ?? e;
  }

  /** The tracked episode a reference names: by its own TVDB id when both sides know it, else by numbers. */
  find(ref: EpisodeRef): EpisodeRecord | undefined {
    const { byKey, byTvdb } = this.indexed();
    const found = (ref.tvdbId ? byTvdb.get(ref.tvdbId) : undefined) ?? byKey.get(numberOf(ref));
    return found && this.current(found);
  }

  /** Every episode as it is now, in the order they were tracked (new ones last). */
  all(): EpisodeRecord[] {
    return [...this.original.map((e) => this.current(e)), ...this.added];
  }

  /** Change an episode (copied first if it is still the original). */
  edit(given: EpisodeRecord, change: Partial<EpisodeRecord>): EpisodeRecord {
    const episode = this.current(given);
    const fields = Object.keys(change) as (keyof EpisodeRecord)[];
    if (fields.every((field) => episode[field] === change[field])) return episode;
    let writable = episode;
    if (!this.writable.has(episode)) {
      writable = { ...episode };
      this.copies.set(episode, writable);
      this.writable.add(writable);
    }
    const tvdbBefore = writable.tvdbId;
    Object.assign(writable, change);
    if (writable.tvdbId !== tvdbBefore) this.indexTvdb(writable, given, tvdbBefore);
    return writable;
  }

  add(ref: EpisodeRef, state: EpisodeState): EpisodeRecord {
    if (this.size >= MAX_EPISODES) throw new TooManyEpisodesError(`a request holds at most ${MAX_EPISODES} episodes`);
    const episode: EpisodeRecord = {
      season: ref.season,
      episode: ref.episode,
      title: ref.title ?? null,
      state,
      downloadId: null,
      finalPath: null,
      tvdbId: ref.tvdbId ?? null,
      jellyfinId: null,
      shokoFileId: null,
      progress: null,
      availableAt: null,
      removedAt: null,
    };
    this.added.push(episode);
    this.writable.add(episode);
    this.indexed().byKey.set(numberOf(episode), episode);
    this.indexTvdb(episode, episode, null);
    return episode;
  }

  /** Found by its TVDB id from now on (the index may hold `given`, an original: find resolves it to the copy). */
  private indexTvdb(episode: EpisodeRecord, given: EpisodeRecord, tvdbBefore: number | null): void {
    if (tvdbBefore !== null) this.handOver = false;
    if (episode.tvdbId === null) return;
    const { byTvdb } = this.indexed();
    if (!byTvdb.has(episode.tvdbId)) byTvdb.set(episode.tvdbId, given);
    else if (this.current(byTvdb.get(episode.tvdbId)!) !== episode) this.handOver = false;
  }

  /**
   * The episode list after the event, by season and number (originals where nothing changed), and
   * whether anything differs from before (an added episode, or a copy unlike its original).
   */
  result(): { episodes: EpisodeRecord[]; changed: boolean } {
    let changed = this.added.length > 0;
    const kept = this.copies.size
      ? this.original.map((e) => {
          const copy = this.copies.get(e);
          if (!copy || sameEpisode(e, copy)) return e;
          changed = true;
          return copy;
        })
      : this.original;
    const episodes = this.added.length ? this.merged(kept) : kept;
    this.handIndexTo(episodes);
    return { episodes, changed };
  }

  /** Leave the index to the next event on `episodes`: each original that was copied stands for what it became. */
  private handIndexTo(episodes: EpisodeRecord[]): void {
    const index = this.index;
    this.index = undefined;
    if (!index || !this.handOver) return;
    for (const [original, copy] of this.copies) {
      const now = sameEpisode(original, copy) ? original : copy;
      index.byKey.set(numberOf(original), now);
      for (const tvdbId of [original.tvdbId, copy.tvdbId]) {
        const at = tvdbId === null ? undefined : index.byTvdb.get(tvdbId);
        if (at === original || at === copy) index.byTvdb.set(tvdbId!, now);
      }
    }
    indexes.set(episodes, index);
  }

  /** The added episodes merged into the (sorted) kept ones. */
  private merged(kept: EpisodeRecord[]): EpisodeRecord[] {
    const added = [...this.added].sort(byNumber);
    const last = kept[kept.length - 1];
    if (!last || byNumber(last, added[0]!) < 0) return [...kept, ...added];
    const merged: EpisodeRecord[] = [];
    let i = 0;
    let j = 0;
    while (i < kept.length || j < added.length) {
      const a = kept[i];
      const b = added[j];
      if (b === undefined || (a !== undefined && byNumber(a, b) <= 0)) {
        merged.push(a!);
        i++;
      } else {
        merged.push(b);
        j++;
      }
    }
    return merged;
  }
}

function sameEpisode(a: EpisodeRecord, b: EpisodeRecord): boolean {
  return (Object.keys(a) as (keyof EpisodeRecord)[]).every((field) => a[field] === b[field]);
}
