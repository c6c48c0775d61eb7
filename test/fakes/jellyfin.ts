import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeServer } from './fake-server';

/**
 * Jellyfin's /Items and /Shows/{id}/Episodes at the wire (payloads.md section 6.2), with its real
 * quirks: `AnyProviderIdEquals` is ignored (every item of the type comes back), `SearchTerm` matches
 * names loosely, ProviderIds/Path/MediaSources only with `Fields`, auth by
 * `Authorization: MediaBrowser Token="…"`. It can be taken down.
 */

export interface FakeItem {
  Id: string;
  Name: string;
  Type: 'Movie' | 'Series' | 'Episode' | 'Season';
  ProductionYear?: number;
  ProviderIds?: Record<string, string>;
  /** A file, or none for a metadata-only stub. */
  Path?: string;
  LocationType?: 'FileSystem' | 'Virtual';
  SeriesId?: string;
  ParentIndexNumber?: number;
  IndexNumber?: number;
}

export class FakeJellyfin extends FakeServer {
  readonly items: FakeItem[] = [];
  readonly requests: string[] = [];
  down = false;

  constructor(private readonly apiKey = 'jf-key') {
    super();
  }
  /** The example flow's environment variables that point it here, with the secret this fake accepts. */
  exampleEnv(): Record<string, string> {
    return { JELLYFIN_URL: this.url, JELLYFIN_API_KEY: this.apiKey };
  }

  add(...items: FakeItem[]): void {
    this.items.push(...items);
  }

  private dto(item: FakeItem, fields: string[]) {
    const { Path, ProviderIds, ...rest } = item;
    return {
      ...rest,
      ServerId: 'e5a3c2b1f0d94e8c9b7a6f5e4d3c2b1a',
      IsFolder: item.Type === 'Series' || item.Type === 'Season',
      LocationType: item.LocationType ?? (Path || item.Type === 'Series' ? 'FileSystem' : 'Virtual'),
      ...(fields.includes('ProviderIds') ? { ProviderIds: ProviderIds ?? {} } : {}),
      ...(fields.includes('Path') && Path ? { Path } : {}),
      ...(fields.includes('MediaSources') && Path && item.Type !== 'Series'
        ? { MediaSources: [{ Protocol: 'File', Id: item.Id, Path, Type: 'Default' }] }
        : {}),
    };
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push(req.url ?? '');
    if (this.down) {
      req.socket.destroy();
      return;
    }
    if (req.headers.authorization !== `MediaBrowser Token="${this.apiKey}"`) return void res.writeHead(401).end();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const fields = (url.searchParams.get('Fields') ?? '').split(',');
    const send = (items: FakeItem[]) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ Items: items.map((i) => this.dto(i, fields)), TotalRecordCount: items.length, StartIndex: 0 }));
    if (url.pathname === '/Items') {
      const types = url.searchParams.get('IncludeItemTypes')?.split(',');
      const search = url.searchParams.get('SearchTerm')?.toLowerCase();
      const years = url.searchParams.get('Years')?.split(',').map(Number);
      const hasTmdb = url.searchParams.get('HasTmdbId') === 'true';
      return void send(
        this.items.filter(
          (i) =>
            (!types || types.includes(i.Type)) &&
            // Jellyfin's search is loose: any word of the term in the name will do.
            (!search || search.split(/\s+/).some((word) => word.length > 2 && i.Name.toLowerCase().includes(word.replace(/[:.]/g, '')))) &&
            (!years || (i.ProductionYear !== undefined && years.includes(i.ProductionYear))) &&
            (!hasTmdb || !!i.ProviderIds?.Tmdb),
        ),
      );
    }
    const episodes = /^\/Shows\/([^/]+)\/Episodes$/.exec(url.pathname);
    if (episodes) return void send(this.items.filter((i) => i.Type === 'Episode' && i.SeriesId === episodes[1]));
    res.writeHead(404).end();
  }
}
