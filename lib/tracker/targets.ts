import type { EpisodeRef } from '../events';
import type { EpisodeRecord, RequestRecord } from '../model';
import { episodeKey } from '../episode-numbers';
import type { EpisodeState, RequestState } from '../states';
import { EpisodeEdits } from './episodes';
import { raise, type Effect, type Item, type Step } from './items';
import type { RequestFile } from './paths';

/**
 * The items an event touches: a movie is one item, a show is its episodes. The per-event rules
 * (rules.ts) are written once against these; only this file knows the difference.
 */
export interface Target {
  readonly item: Item;
  /** The episode's key (S01E02); undefined for a movie. */
  readonly key: string | undefined;
  /** Apply an item rule (items.ts); its effect. */
  step(rule: (item: Item) => Step): Effect;
  /** Title and TVDB id from an event's episode reference, where not known yet. */
  fill(ref: EpisodeRef): void;
  /** Jellyfin's item for it, where not known yet. */
  setJellyfinItem(id: string): void;
  setShokoFile(id: number): void;
  /** An episode's own progress inside its download (a movie's is its download's). */
  setProgress(progress: number | null): void;
  /** Mark it deleted (`at`) or there again (null); whether that changed anything. */
  setRemoved(at: string | null): boolean;
}

/** What the targets saw while an event was applied: the event's time, and the episodes it made AVAILABLE. */
class Witness {
  readonly becameAvailable: EpisodeRecord[] = [];
  constructor(readonly at: string) {}
}

class MovieTarget implements Target {
  readonly key = undefined;
  constructor(private readonly record: RequestRecord) {}

  setRemoved(at: string | null): boolean {
    if ((this.record.removedAt === null) === (at === null)) return false;
    this.record.removedAt = at;
    return true;
  }

  get item(): Item {
    return { state: this.record.stage, downloadId: this.record.downloadId, finalPath: this.record.finalPath };
  }

  step(rule: (item: Item) => Step): Effect {
    const { item, effect } = rule(this.item);
    this.record.stage = item.state;
    this.record.downloadId = item.downloadId;
    this.record.finalPath = item.finalPath;
    return effect;
  }

  fill(): void {}

  setJellyfinItem(id: string): void {
    this.record.ids.jellyfin ??= id;
  }

  setShokoFile(id: number): void {
    this.record.shokoFileId = id;
  }

  setProgress(): void {}
}

class EpisodeTarget implements Target {
  readonly key: string;
  constructor(
    private readonly edits: EpisodeEdits,
    private episode: EpisodeRecord,
    private readonly witness: Witness,
  ) {
    this.key = episodeKey(episode);
  }

  setRemoved(at: string | null): boolean {
    if ((this.episode.removedAt === null) === (at === null)) return false;
    this.edit({ removedAt: at });
    return true;
  }

  get item(): Item {
    return { state: this.episode.state, downloadId: this.episode.downloadId, finalPath: this.episode.finalPath };
  }

  private edit(change: Partial<EpisodeRecord>): void {
    this.episode = this.edits.edit(this.episode, change);
  }

  step(rule: (item: Item) => Step): Effect {
    const before = this.episode.state;
    const { item, effect } = rule(this.item);
    this.edit({ state: item.state as EpisodeState, downloadId: item.downloadId, finalPath: item.finalPath });
    if (item.state === 'AVAILABLE' && before !== 'AVAILABLE') {
      this.edit({ availableAt: this.episode.availableAt ?? this.witness.at });
      this.witness.becameAvailable.push(this.episode);
    }
    return effect;
  }

  fill(ref: EpisodeRef): void {
    this.edit({ title: this.episode.title ?? ref.title ?? null, tvdbId: this.episode.tvdbId ?? ref.tvdbId ?? null });
  }

  setJellyfinItem(id: string): void {
    this.edit({ jellyfinId: this.episode.jellyfinId ?? id });
  }

  setShokoFile(id: number): void {
    this.edit({ shokoFileId: id });
  }

  setProgress(progress: number | null): void {
    this.edit({ progress });
  }
}

/** One entry of `named`: the target for a reference (none when it is not tracked and was not added), and whether it was just added. */
export type Named = { target: Target | undefined; added: boolean };

export class Targets {
  private readonly edits: EpisodeEdits | undefined;
  private readonly witness: Witness;
  /** The movie, when the request is one. */
  readonly movie: Target | undefined;

  /** `at`: the event's time (an episode's availableAt). */
  constructor(
    private readonly record: RequestRecord,
    at: string,
  ) {
    this.witness = new Witness(at);
    if (record.mediaType === 'movie') this.movie = new MovieTarget(record);
    else this.edits = new EpisodeEdits(record.episodes);
  }

  private episodes(list: EpisodeRecord[]): Target[] {
    return list.map((e) => new EpisodeTarget(this.edits!, e, this.witness));
  }

  /** The episodes this event made AVAILABLE (as they are at the end of it), in show order. */
  becameAvailable(): EpisodeRecord[] {
    const keys = new Set(this.witness.becameAvailable.map(episodeKey));
    return keys.size ? this.record.episodes.filter((e) => keys.has(episodeKey(e))) : [];
  }

  /** The movie, or every tracked episode. */
  all(): Target[] {
    return this.movie ? [this.movie] : this.episodes(this.edits!.all());
  }

  /** The movie, or the episodes these references name; untracked ones are added in state `add`, or skipped. */
  named(refs: EpisodeRef[], add?: EpisodeState): Named[] {
    if (this.movie) return [{ target: this.movie, added: false }];
    const edits = this.edits!;
    return refs.map((ref) => {
      const found = edits.find(ref);
      if (found) return { target: new EpisodeTarget(edits, found, this.witness), added: false };
      if (!add) return { target: undefined, added: false };
      return { target: new EpisodeTarget(edits, edits.add(ref, add), this.witness), added: true };
    });
  }

  /** What depends on this download: the movie (if it is the movie's current one), or its episodes. */
  byDownload(downloadId: string): Target[] {
    if (this.movie) return this.record.downloadId === downloadId ? [this.movie] : [];
    return this.episodes(this.edits!.all().filter((e) => e.downloadId === downloadId));
  }

  /** What Shoko matched as this file (a Shokofin item names it). */
  byShokoFile(fileId: number): Target[] {
    if (this.movie) return this.record.shokoFileId === fileId ? [this.movie] : [];
    return this.episodes(this.edits!.all().filter((e) => e.shokoFileId === fileId));
  }

  /** The holders of a file (see paths.ts fileHolders). */
  byFiles(files: RequestFile[]): Target[] {
    if (this.movie) return files.length ? [this.movie] : [];
    const keys = new Set(files.flatMap((f) => (f.episode ? [episodeKey(f.episode)] : [])));
    return this.episodes(this.edits!.all().filter((e) => keys.has(episodeKey(e))));
  }

  /**
   * The whole request: the movie, or every episode and the show's own stage (which counts as an effect
   * when `stageCounts` says so: always, or only while no episode is tracked).
   */
  whole(rule: (item: Item) => Step, stageCounts: 'always' | 'without-episodes'): Effect[] {
    if (this.movie) return [this.movie.step(rule)];
    const effects = this.all().map((t) => t.step(rule));
    const stage = rule({ state: this.record.stage, downloadId: null, finalPath: null });
    this.record.stage = stage.item.state;
    if (stageCounts === 'always' || !effects.length) effects.push(stage.effect);
    return effects;
  }

  /** The request's own stage (REQUESTED, APPROVED: Jellyseerr's word): only forward. */
  raiseStage(target: RequestState): Effect {
    const result = raise(this.record.stage, target);
    this.record.stage = result.state;
    return result.effect;
  }

  /** Write the episodes back into the record; whether any changed. */
  finish(): boolean {
    if (!this.edits) return false;
    const { episodes, changed } = this.edits.result();
    this.record.episodes = episodes;
    return changed;
  }
}
