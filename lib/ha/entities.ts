import type { OutlookView } from '../tracker/outlook';
import type { HaReads } from '../store/ha-reads';
import { deviceConfigs, newsEvent, removeRequestSensor, requestSensor, summaryState, type HaOptions, type MqttMessage } from './discovery';
import { notificationOf, type News } from '../notify/news';

/** The store's queries for Home Assistant (the store's `read.ha`). */
export type HaReader = Pick<HaReads, 'requests' | 'gone' | 'counts'>;

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

/**
 * The entities as Home Assistant should see them, and what to publish to get there: everything (on
 * start, on Home Assistant's birth message, hourly), or only what a commit touched. It remembers
 * which request sensors it published, so one that leaves the list is removed.
 */
export class HaEntities {
  private readonly published = new Set<number>();
  private first = true;

  constructor(
    private readonly options: HaOptions,
    /** How long an available request keeps its sensor. */
    private readonly keepMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get count(): number {
    return this.published.size;
  }

  private since(now: number): string {
    return new Date(now - this.keepMs).toISOString();
  }

  private async summary(read: HaReader, now: number): Promise<MqttMessage> {
    return summaryState(this.options, await read.counts(new Date(now - WEEK).toISOString()));
  }

  /**
   * Everything: the device's configs, the counters, a sensor per shown request; sensors no longer
   * shown removed. The first time after a start it does not know what it published before: the
   * requests that left the list in the last week are cleared too (clearing twice does no harm).
   */
  async all(read: HaReader, view: OutlookView): Promise<MqttMessage[]> {
    const now = this.now();
    const records = await read.requests(this.since(now));
    const current = new Set(records.map((r) => r.id));
    const before = this.first ? await read.gone(this.since(now), new Date(now - WEEK).toISOString()) : [];
    this.first = false;
    const gone = [...new Set([...this.published, ...before])].filter((id) => !current.has(id));
    this.published.clear();
    current.forEach((id) => this.published.add(id));
    return [
      ...deviceConfigs(this.options),
      await this.summary(read, now),
      ...records.flatMap((r) => requestSensor(this.options, r, view)),
      ...gone.flatMap((id) => removeRequestSensor(this.options, id)),
    ];
  }

  /** After a commit: those requests' sensors (added, updated or removed) and the counters. */
  async changed(read: HaReader, ids: number[], view: OutlookView): Promise<MqttMessage[]> {
    const now = this.now();
    const shown = new Map((await read.requests(this.since(now), ids)).map((r) => [r.id, r]));
    const messages: MqttMessage[] = [];
    for (const id of ids) {
      const record = shown.get(id);
      if (record) {
        messages.push(...requestSensor(this.options, record, view));
        this.published.add(id);
      } else if (this.published.delete(id)) messages.push(...removeRequestSensor(this.options, id));
    }
    return [...messages, await this.summary(read, now)];
  }

  /** The news events of a state change. */
  news(news: News[]): MqttMessage[] {
    return news.flatMap((n) => {
      const event = newsEvent(this.options, notificationOf([n], this.options.baseUrl));
      return event ? [event] : [];
    });
  }
}
