/** Dates in a household's words ("Fri 12 Dec", "Fri 12 Dec 21:40"), in a given IANA time zone or the server's. */

/** Formatters by time zone: making one costs far more than using it. */
const formatters = new Map<string, { day: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>();
function formatterOf(timeZone: string | undefined) {
  const key = timeZone ?? '';
  let found = formatters.get(key);
  if (!found) {
    found = {
      day: new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone }),
      time: new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone }),
    };
    formatters.set(key, found);
  }
  return found;
}

export function dayText(iso: string, timeZone?: string): string {
  return formatterOf(timeZone).day.format(new Date(iso));
}

export function timeText(iso: string, timeZone?: string): string {
  const { day, time } = formatterOf(timeZone);
  const date = new Date(iso);
  return `${day.format(date)} ${time.format(date)}`;
}
