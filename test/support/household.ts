import assert from 'node:assert/strict';
import { FakeArr, radarrMovie, radarrQueueRecord } from '../fakes/arr-apis';
import { VIOLET, movieBodies } from './bodies';
import { postHook, type RunningNodeRed } from './node-red';

/** Violet approved in Jellyseerr and grabbed by Radarr, its download in Radarr's queue (something to act on); its request id. */
export async function grabbedInRadarr(red: RunningNodeRed, radarr: FakeArr, headers: Record<string, string> = {}): Promise<number> {
  const v = movieBodies(VIOLET);
  assert.equal((await postHook(red.url, 'jellyseerr', v.approved, headers)).status, 200);
  const grabbed = await postHook(red.url, 'radarr', v.grab, headers);
  assert.equal(grabbed.status, 200);
  radarr.queue.push(radarrQueueRecord(radarrMovie({ id: VIOLET.radarrId, title: VIOLET.title, year: VIOLET.year, tmdbId: VIOLET.tmdb }), VIOLET.hash));
  return grabbed.body.requestId as number;
}
