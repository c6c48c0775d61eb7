import { URGENT, type News } from '../notify/news';
import type { Moment, Person } from './person';

/** The moments a piece of news is (a show's episodes may be its first, finish a season and catch up at once). */
export function momentsOf(news: News): Moment[] {
  const { kind, request, episodes } = news;
  switch (kind) {
    case 'requested':
    case 'approved':
    case 'downloading':
      return ['progress'];
    case 'failed':
    case 'attention':
      return ['trouble'];
    case 'waiting':
      return ['waiting'];
    case 'removed':
      return ['removed'];
    case 'health':
      return [];
    case 'available':
    case 'episodes': {
      const moments = new Set<Moment>();
      if (kind === 'available') moments.add('available');
      if (request.mediaType !== 'tv') return [...moments];
      if (episodes.length) moments.add('episodes');
      const ready = request.episodes.filter((e) => e.state === 'AVAILABLE');
      // Every episode ready now is one of these: the show's first.
      if (episodes.length && ready.length === episodes.length) moments.add('first-episode');
      const seasons = new Set(episodes.map((e) => e.season));
      for (const season of seasons) {
        const tracked = request.episodes.filter((e) => e.season === season);
        if (tracked.length && tracked.every((e) => e.state === 'AVAILABLE')) moments.add('season');
      }
      if (request.state === 'AVAILABLE') moments.add('caught-up');
      return [...moments];
    }
  }
}

/** The news among `news` this person wants. */
export function wantedBy(person: Pick<Person, 'moments'>, news: News[]): News[] {
  return news.filter((n) => momentsOf(n).some((m) => person.moments.includes(m)));
}

export const isUrgent = (news: News) => URGENT.includes(news.kind);
