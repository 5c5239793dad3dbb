import { describe, expect, it } from "vitest";
import { cronScheduleError } from "./cron.js";

// CronJob schedules as robfig/cron v3's ParseStandard (what the API server uses) accepts and rejects them.

describe("cronScheduleError", () => {
  it.each([
    "* * * * *",
    "*/5 * * * *",
    "0 3 * * 1-5",
    "0 0 1,15 * *",
    "30 2 * jan-mar MON",
    "0 0 ? * sun",
    "5/10 * * * *",
    "0 12 31 12 6",
    "@hourly",
    "@daily",
    "@every 1h30m",
  ])("accepts %s", (schedule) => {
    expect(cronScheduleError(schedule)).toBeUndefined();
  });

  it.each([
    ["", "empty spec string"],
    ["* * * *", "expected exactly 5 fields, found 4: [* * * *]"],
    ["* * * * * *", "expected exactly 5 fields, found 6: [* * * * * *]"],
    ["60 * * * *", "end of range (60) above maximum (59): 60"],
    ["* 24 * * *", "end of range (24) above maximum (23): 24"],
    ["* * 0 * *", "beginning of range (0) below minimum (1): 0"],
    ["* * * * 7", "end of range (7) above maximum (6): 7"],
    ["5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"],
    ["*/0 * * * *", "step of range should be a positive number: */0"],
    ["1-2-3 * * * *", "too many hyphens: 1-2-3"],
    ["*/2/3 * * * *", "too many slashes: */2/3"],
    ["x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ["@fortnightly", "unrecognized descriptor: @fortnightly"],
    ["@every soon", 'failed to parse duration @every soon: time: invalid duration "soon"'],
  ])("rejects %j: %s", (schedule, message) => {
    expect(cronScheduleError(schedule)).toBe(message);
  });
});
