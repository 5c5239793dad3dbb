/** Which lines of a log to show. */
export interface LogQuery {
  q?: string;
  offset?: number;
  limit?: number;
}

/** A page of an execution log: the matching lines (all lines without a search), numbered from 1. */
export interface LogPage {
  name: string;
  size: number;
  total_lines: number;
  matched: number;
  offset: number;
  lines: Array<[number, string]>;
  truncated: boolean;
}
