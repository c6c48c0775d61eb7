import type { OutlookView } from '../tracker/outlook';
import { toSnapshot } from '../tracker/snapshot';
import type { RequestRecord } from '../model';
import type { HaCounts } from '../store/ha-reads';
import { requestLink, type Notification } from '../notify/news';
import { displayTitle } from '../tracker/snapshot';

/**
 * Home Assistant entities over MQTT discovery (notifiers.md 7b): one device "Media status" with
 * sensors for requests in progress, downloading, needing attention and available this week; an
 * `event` entity for the news (available, episodes available, failed, needs attention); and one
 * sensor per active request. Configs are retained (and re-sent when Home Assistant says it is online);
 * event messages never are (Home Assistant ignores retained events); a request's sensor is removed
 * with an empty retained config. `default_entity_id`, not the deprecated `object_id`.
 */

/** One publish for the core `mqtt out` node. */
export interface MqttMessage {
  topic: string;
  /** An object goes as JSON; '' with retain clears a retained topic. */
  payload: string | Record<string, unknown>;
  retain: boolean;
  qos: 0 | 1;
}

export interface HaOptions {
  /** Home Assistant's discovery prefix (default homeassistant). */
  prefix: string;
  /** Where states go (default media-status). */
  base: string;
  /** The status page's base URL, for each request's link. */
  baseUrl: string;
  version: string;
}

export const EVENT_TYPES = ['available', 'episodes_available', 'failed', 'needs_attention'] as const;
const EVENT_OF: Partial<Record<Notification['kind'], (typeof EVENT_TYPES)[number]>> = {
  available: 'available',
  episodes: 'episodes_available',
  failed: 'failed',
  attention: 'needs_attention',
};

const SUMMARY = [
  { key: 'in_progress', name: 'Requests in progress', icon: 'mdi:progress-clock' },
  { key: 'downloading', name: 'Downloading', icon: 'mdi:download' },
  { key: 'attention', name: 'Needing attention', icon: 'mdi:alert-circle-outline' },
  { key: 'available_week', name: 'Available this week', icon: 'mdi:check-circle-outline' },
] as const;

/** The keys every config shares: the device, who published it, when it is there. */
function common(o: HaOptions) {
  return {
    device: {
      identifiers: ['media_status'],
      name: 'Media status',
      manufacturer: 'node-red-contrib-media-status-tracker',
      model: 'Media status tracker',
      sw_version: o.version,
      configuration_url: `${o.baseUrl.replace(/\/+$/, '')}/media-status`,
    },
    origin: { name: 'node-red-contrib-media-status-tracker', sw_version: o.version },
    availability_topic: `${o.base}/availability`,
  };
}

const retained = (topic: string, payload: MqttMessage['payload']): MqttMessage => ({ topic, payload, retain: true, qos: 1 });

/** The configs of the device's own entities (the counters and the event), and its availability. */
export function deviceConfigs(o: HaOptions): MqttMessage[] {
  const sensors = SUMMARY.map((s) =>
    retained(`${o.prefix}/sensor/media_status/${s.key}/config`, {
      name: s.name,
      unique_id: `media_status_${s.key}`,
      default_entity_id: `sensor.media_status_${s.key}`,
      state_topic: `${o.base}/summary`,
      value_template: `{{ value_json.${s.key} }}`,
      state_class: 'measurement',
      unit_of_measurement: 'requests',
      icon: s.icon,
      ...common(o),
    }),
  );
  const event = retained(`${o.prefix}/event/media_status/news/config`, {
    name: 'News',
    unique_id: 'media_status_news',
    default_entity_id: 'event.media_status_news',
    state_topic: `${o.base}/event`,
    event_types: [...EVENT_TYPES],
    icon: 'mdi:bell-ring-outline',
    ...common(o),
  });
  return [...sensors, event, retained(`${o.base}/availability`, 'online')];
}

export function summaryState(o: HaOptions, counts: HaCounts): MqttMessage {
  return retained(`${o.base}/summary`, {
    in_progress: counts.inProgress,
    downloading: counts.downloading,
    attention: counts.attention,
    available_week: counts.availableWeek,
  });
}

const requestTopic = (o: HaOptions, id: number) => `${o.prefix}/sensor/media_status/request_${id}/config`;
const requestState = (o: HaOptions, id: number) => `${o.base}/request/${id}`;

/** A request's sensor: its config (state and attributes from one retained JSON) and its state. */
export function requestSensor(o: HaOptions, record: RequestRecord, view: OutlookView): MqttMessage[] {
  const { waiting, eta: ready } = toSnapshot(record, view);
  const name = record.year ? `${displayTitle(record)} (${record.year})` : displayTitle(record);
  const running = record.downloads.filter((d) => d.state === 'DOWNLOADING');
  const progress = running.length
    ? Math.round((running.reduce((sum, d) => sum + d.progress, 0) / running.length) * 100)
    : record.state === 'AVAILABLE'
      ? 100
      : null;
  const eta = running.map((d) => d.etaSeconds).filter((s): s is number => s !== null);
  return [
    retained(requestTopic(o, record.id), {
      name,
      unique_id: `media_status_request_${record.id}`,
      default_entity_id: `sensor.media_status_request_${record.id}`,
      state_topic: requestState(o, record.id),
      value_template: '{{ value_json.state }}',
      json_attributes_topic: requestState(o, record.id),
      json_attributes_template: '{{ value_json.attributes | tojson }}',
      icon: record.mediaType === 'movie' ? 'mdi:movie-open' : 'mdi:television-classic',
      ...(record.posterUrl && /^https?:\/\//.test(record.posterUrl) ? { entity_picture: record.posterUrl } : {}),
      ...common(o),
    }),
    retained(requestState(o, record.id), {
      // Home Assistant keeps at most 255 characters of a state: the stage is short; the rest are attributes.
      state: record.state.toLowerCase(),
      attributes: {
        title: record.title,
        year: record.year,
        media_type: record.mediaType,
        requester: record.requestedBy,
        progress,
        eta_seconds: eta.length ? Math.max(...eta) : null,
        attention: record.attention?.reason ?? null,
        waiting: waiting?.text ?? null,
        waiting_code: waiting?.code ?? null,
        ready_at: ready?.at ?? null,
        ready_basis: ready?.basis ?? null,
        episodes: record.mediaType === 'tv' ? record.episodes.length : null,
        episodes_available: record.mediaType === 'tv' ? record.episodes.filter((e) => e.state === 'AVAILABLE').length : null,
        poster: record.posterUrl,
        url: requestLink(o.baseUrl, record),
        available_at: record.availableAt,
      },
    }),
  ];
}

/** Remove a request's sensor: an empty retained config (Home Assistant deletes the entity) and an empty state. */
export function removeRequestSensor(o: HaOptions, id: number): MqttMessage[] {
  return [retained(requestTopic(o, id), ''), retained(requestState(o, id), '')];
}

/** A news event for the event entity: never retained. */
export function newsEvent(o: HaOptions, n: Notification): MqttMessage | undefined {
  const type = EVENT_OF[n.kind];
  if (!type) return undefined;
  return {
    topic: `${o.base}/event`,
    payload: {
      event_type: type,
      title: n.title,
      message: n.message,
      request_id: n.request?.id ?? null,
      requester: n.requester,
      url: n.url,
      poster: n.imageUrl,
    },
    retain: false,
    qos: 1,
  };
}
