/** The middle of a list of measurements (the upper one of two); NaN for none. */
export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
}

export function lowest(values: number[]): number {
  return Math.min(...values);
}

export function highest(values: number[]): number {
  return Math.max(...values);
}
