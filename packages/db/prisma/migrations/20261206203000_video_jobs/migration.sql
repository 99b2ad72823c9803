-- CreateEnum
CREATE TYPE "AnalysisKind" AS ENUM ('PHOTO', 'VIDEO', 'LIVE');

-- CreateEnum
CREATE TYPE "VideoJobStatus" AS ENUM ('queued', 'running', 'done', 'failed', 'cancelled');

-- AlterTable
ALTER TABLE "analysis" ADD COLUMN     "kind" "AnalysisKind" NOT NULL DEFAULT 'PHOTO';

-- AlterTable
ALTER TABLE "face" ADD COLUMN     "kind" "AnalysisKind" NOT NULL DEFAULT 'PHOTO';

-- AlterTable
ALTER TABLE "hourly_emotion_rollup" DROP CONSTRAINT "hourly_emotion_rollup_pkey",
ADD COLUMN     "kind" "AnalysisKind" NOT NULL DEFAULT 'PHOTO',
ADD CONSTRAINT "hourly_emotion_rollup_pkey" PRIMARY KEY ("hour_start", "source", "campaign", "emotion", "is_demo", "kind");

-- CreateTable
CREATE TABLE "video_job" (
    "id" UUID NOT NULL,
    "api_key_id" TEXT,
    "idempotency_scope" TEXT NOT NULL DEFAULT 'anonymous',
    "client_request_id" TEXT,
    "status" "VideoJobStatus" NOT NULL DEFAULT 'queued',
    "source" TEXT NOT NULL DEFAULT 'api',
    "campaign" TEXT NOT NULL DEFAULT 'none',
    "captured_at" TIMESTAMPTZ(3) NOT NULL,
    "sample_fps" DOUBLE PRECISION NOT NULL DEFAULT 2,
    "file_name" TEXT,
    "mime_type" TEXT,
    "bytes" INTEGER NOT NULL,
    "video_info" JSONB,
    "frames_done" INTEGER NOT NULL DEFAULT 0,
    "frames_total" INTEGER,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error_code" TEXT,
    "error_message" TEXT,
    "timings" JSONB NOT NULL DEFAULT '{}',
    "model_version" TEXT,
    "store_video" BOOLEAN NOT NULL DEFAULT false,
    "analysis_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "video_job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "video_upload_chunk" (
    "job_id" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "video_upload_chunk_pkey" PRIMARY KEY ("job_id","index")
);

-- CreateTable
CREATE TABLE "video_checkpoint" (
    "job_id" UUID NOT NULL,
    "frames_done" INTEGER NOT NULL,
    "tracker" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "video_checkpoint_pkey" PRIMARY KEY ("job_id")
);

-- CreateTable
CREATE TABLE "video_track" (
    "job_id" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "first_seconds" DOUBLE PRECISION NOT NULL,
    "last_seconds" DOUBLE PRECISION NOT NULL,
    "frames" INTEGER NOT NULL,
    "dominant_emotion" "Emotion" NOT NULL,
    "mean_valence" DOUBLE PRECISION NOT NULL,
    "probabilities" DOUBLE PRECISION[],
    "series" JSONB NOT NULL,

    CONSTRAINT "video_track_pkey" PRIMARY KEY ("job_id","index")
);

-- CreateTable
CREATE TABLE "video_timeline_second" (
    "job_id" UUID NOT NULL,
    "second" INTEGER NOT NULL,
    "faces" INTEGER NOT NULL,
    "mean_valence" DOUBLE PRECISION,
    "shares" DOUBLE PRECISION[],

    CONSTRAINT "video_timeline_second_pkey" PRIMARY KEY ("job_id","second")
);

-- CreateIndex
CREATE INDEX "video_job_created_at_id_idx" ON "video_job"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "video_job_status_idx" ON "video_job"("status");

-- CreateIndex
CREATE UNIQUE INDEX "video_job_idempotency_scope_client_request_id_key" ON "video_job"("idempotency_scope", "client_request_id");

-- AddForeignKey
ALTER TABLE "video_upload_chunk" ADD CONSTRAINT "video_upload_chunk_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "video_job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "video_checkpoint" ADD CONSTRAINT "video_checkpoint_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "video_job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "video_track" ADD CONSTRAINT "video_track_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "video_job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "video_timeline_second" ADD CONSTRAINT "video_timeline_second_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "video_job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

