/** Paths as the services write them: either separator, any number of them. */
export function pathSegments(path: string): string[] {
  return path.split(/[\\/]+/).filter(Boolean);
}

export function fileNameOf(path: string): string {
  return pathSegments(path).pop() ?? '';
}
