import { configValue } from '../../config-values';
import type { ArrInstance } from '../../model';

/** An arr-server node's settings as they name its instance. */
export interface ArrInstanceSettings {
  kind?: unknown;
  instance?: unknown;
  is4k?: unknown;
}

/** The instance an arr-server node configures: named as given, else `radarr`, `radarr-4k`, `sonarr`... */
export function arrInstanceOf(settings: ArrInstanceSettings): ArrInstance {
  const kind = settings.kind === 'sonarr' ? 'sonarr' : 'radarr';
  const is4k = settings.is4k === true;
  return { name: configValue(settings.instance) || `${kind}${is4k ? '-4k' : ''}`, kind, is4k };
}
