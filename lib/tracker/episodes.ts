import { RefusedEventError } from '../errors';
import { MAX_EPISODES, type EpisodeKey, type EpisodeRef } from '../events';
import type { EpisodeRecord } from '../model';
import type { EpisodeState } from '../states';

export class TooManyEpisodesError extends RefusedEventError {}

const byNumber = (a: EpisodeKey, b: EpisodeKey) => a.season - b.season || a.episode - b.episode;

/** An episode's place as one number, for the index (cheaper than a key string for a 50,000-episode show). */
const numberOf = (e: EpisodeKey) => e.season * 1_000_000 + e.episode;

/**
 * A request's episodes while one event is applied, so that the event costs in proportion to its own
 * episodes, not the show's: episodes are found through an index (by season and number, and by their
 * own TVDB id), and copied only when changed (copy on write): an episode the event leaves alone stays
 * the very object it was, which is how the store knows what to write.
 */
export class EpisodeEdits {
  private index: { byKey: Map<number, EpisodeRecord>; byTvdb: Map<number, EpisodeRecord> } | undefined;
  /** Original -> its writable copy. */
  private readonly copies = new Map<EpisodeRecord, EpisodeRecord>();
  private readonly added: EpisodeRecord[] = [];
  /** Copies and added episodes: changed in place. */
  private readonly writable = new Set<EpisodeRecord>();

  constructor(private readonly original: EpisodeRecord[]) {}

  get size(): number {
    return this.original.length + this.added.length;
  }

  private indexed() {
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
    Object.assign(writable, change);
    // Found by its TVDB id from now on (the index may hold the original: find resolves it to the copy).
    const { byTvdb } = this.indexed();
    if (writable.tvdbId !== null && !byTvdb.has(writable.tvdbId)) byTvdb.set(writable.tvdbId, given);
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
    const { byKey, byTvdb } = this.indexed();
    byKey.set(numberOf(episode), episode);
    if (episode.tvdbId !== null && !byTvdb.has(episode.tvdbId)) byTvdb.set(episode.tvdbId, episode);
    return episode;
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
    return { episodes: this.added.length ? this.merged(kept) : kept, changed };
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
