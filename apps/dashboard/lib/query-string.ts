import type { SearchParamsRecord } from "./filters";

/** Next's searchParams record back to a query string (repeated keys kept). */
export function toQueryString(params: SearchParamsRecord): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (Array.isArray(value)) for (const item of value) search.append(key, item);
    else if (value !== undefined) search.append(key, value);
  }
  return search.toString();
}
