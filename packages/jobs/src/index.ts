// @moodlens/jobs: video jobs on pg-boss (queue, retries, dead letters) and the one way to submit a video.
export {
  VIDEO_QUEUE,
  VIDEO_DEAD_LETTER_QUEUE,
  DEFAULT_QUEUE_SETTINGS,
  openJobQueue,
  queueDatabaseUrl,
  type JobQueue,
  type OpenJobQueueOptions,
  type QueueSettings,
  type VideoJobMessage,
} from "./queue";
export { submitVideoJob, sweepUnqueuedJobs, type SubmitVideoJobResult } from "./submit";
