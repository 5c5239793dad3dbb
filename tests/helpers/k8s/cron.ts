// CronJob schedules as the API server parses them (robfig/cron v3 `ParseStandard`, with robfig's error
// messages, which the server returns as the detail of `spec.schedule: Invalid value`). The parser is the
// one the k8s-job executor checks schedules with before it submits; tests/helpers/k8s/cron.test.ts
// holds it to robfig's own cases, so the stand-in and the executor agree by construction.
export { cronScheduleError } from "../../../src/plugins/executor/shared/cron-schedule.js";
