/**
 * A node property as Node-RED hands it over: `${NAME}` is substituted when the variable is set and
 * left as it is when not. An unresolved reference means "not set".
 */
export function configValue(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  return /^\$\{[^}]*\}$/.test(text) ? '' : text;
}
