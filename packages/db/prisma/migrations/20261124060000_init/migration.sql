-- CreateEnum
CREATE TYPE "Emotion" AS ENUM ('angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('queued', 'running', 'completed', 'failed', 'interrupted');

-- CreateEnum
CREATE TYPE "ModelStage" AS ENUM ('development', 'staging', 'production', 'archived');

-- CreateTable
CREATE TABLE "experiment" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "experiment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run" (
    "id" TEXT NOT NULL,
    "experiment_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'queued',
    "params" JSONB NOT NULL DEFAULT '{}',
    "architecture" TEXT,
    "backend" TEXT,
    "code_version" TEXT,
    "dataset_fingerprint" TEXT,
    "seed" INTEGER,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "metrics" JSONB,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "duration_seconds" DOUBLE PRECISION,
    "images_per_sec" DOUBLE PRECISION,
    "cpu_share" DOUBLE PRECISION,
    "best_epoch" INTEGER,
    "error" TEXT,
    "notes" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "epoch_metric" (
    "run_id" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "loss" DOUBLE PRECISION NOT NULL,
    "accuracy" DOUBLE PRECISION NOT NULL,
    "val_loss" DOUBLE PRECISION,
    "val_accuracy" DOUBLE PRECISION,
    "val_macro_f1" DOUBLE PRECISION,
    "learning_rate" DOUBLE PRECISION,
    "seconds" DOUBLE PRECISION,
    "images_per_sec" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "epoch_metric_pkey" PRIMARY KEY ("run_id","epoch")
);

-- CreateTable
CREATE TABLE "evaluation" (
    "id" TEXT NOT NULL,
    "run_id" TEXT,
    "model_version_id" TEXT,
    "dataset_name" TEXT NOT NULL,
    "dataset_fingerprint" TEXT,
    "split" TEXT NOT NULL,
    "samples" INTEGER,
    "accuracy" DOUBLE PRECISION NOT NULL,
    "macro_f1" DOUBLE PRECISION NOT NULL,
    "per_class" JSONB NOT NULL,
    "confusion" JSONB NOT NULL,
    "ece" DOUBLE PRECISION,
    "ece_after_temperature" DOUBLE PRECISION,
    "temperature" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "evaluation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_version" (
    "id" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "run_id" TEXT,
    "path" TEXT NOT NULL,
    "stage" "ModelStage" NOT NULL DEFAULT 'development',
    "metrics" JSONB NOT NULL DEFAULT '{}',
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "weights_sha256" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "promoted_at" TIMESTAMPTZ(3),

    CONSTRAINT "model_version_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "analysis" (
    "id" UUID NOT NULL,
    "api_key_id" TEXT,
    "idempotency_scope" TEXT NOT NULL DEFAULT 'anonymous',
    "client_request_id" TEXT,
    "source" TEXT NOT NULL DEFAULT 'api',
    "campaign" TEXT NOT NULL DEFAULT 'none',
    "captured_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "model_version" TEXT NOT NULL,
    "backend" TEXT NOT NULL,
    "image_width" INTEGER NOT NULL,
    "image_height" INTEGER NOT NULL,
    "face_count" INTEGER NOT NULL,
    "timings" JSONB NOT NULL DEFAULT '{}',
    "is_demo" BOOLEAN NOT NULL DEFAULT false,
    "stored_image" BYTEA,
    "stored_image_type" TEXT,

    CONSTRAINT "analysis_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "face" (
    "analysis_id" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "box_x" DOUBLE PRECISION NOT NULL,
    "box_y" DOUBLE PRECISION NOT NULL,
    "box_width" DOUBLE PRECISION NOT NULL,
    "box_height" DOUBLE PRECISION NOT NULL,
    "detection_score" DOUBLE PRECISION NOT NULL,
    "probabilities" DOUBLE PRECISION[],
    "dominant_emotion" "Emotion" NOT NULL,
    "valence" DOUBLE PRECISION NOT NULL,
    "captured_at" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "campaign" TEXT NOT NULL,
    "is_demo" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "face_pkey" PRIMARY KEY ("analysis_id","index")
);

-- CreateTable
CREATE TABLE "hourly_emotion_rollup" (
    "hour_start" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "campaign" TEXT NOT NULL,
    "emotion" "Emotion" NOT NULL,
    "is_demo" BOOLEAN NOT NULL,
    "faces" INTEGER NOT NULL,
    "valence_sum" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "hourly_emotion_rollup_pkey" PRIMARY KEY ("hour_start","source","campaign","emotion","is_demo")
);

-- CreateTable
CREATE TABLE "api_key" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "rate_limit_per_minute" INTEGER,

    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_limit_window" (
    "api_key_id" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "rate_limit_window_pkey" PRIMARY KEY ("api_key_id","window_start")
);

-- CreateIndex
CREATE UNIQUE INDEX "experiment_name_key" ON "experiment"("name");

-- CreateIndex
CREATE INDEX "run_experiment_id_created_at_idx" ON "run"("experiment_id", "created_at");

-- CreateIndex
CREATE INDEX "run_status_idx" ON "run"("status");

-- CreateIndex
CREATE INDEX "evaluation_run_id_idx" ON "evaluation"("run_id");

-- CreateIndex
CREATE INDEX "evaluation_model_version_id_idx" ON "evaluation"("model_version_id");

-- CreateIndex
CREATE UNIQUE INDEX "model_version_version_key" ON "model_version"("version");

-- CreateIndex
CREATE INDEX "model_version_stage_created_at_idx" ON "model_version"("stage", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "model_version_one_production" ON "model_version"("stage") WHERE (stage = 'production');

-- CreateIndex
CREATE INDEX "analysis_captured_at_id_idx" ON "analysis"("captured_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "analysis_source_captured_at_idx" ON "analysis"("source", "captured_at");

-- CreateIndex
CREATE INDEX "analysis_campaign_captured_at_idx" ON "analysis"("campaign", "captured_at");

-- CreateIndex
CREATE UNIQUE INDEX "analysis_idempotency_scope_client_request_id_key" ON "analysis"("idempotency_scope", "client_request_id");

-- CreateIndex
CREATE INDEX "face_captured_at_idx" ON "face"("captured_at");

-- CreateIndex
CREATE INDEX "hourly_emotion_rollup_source_hour_start_idx" ON "hourly_emotion_rollup"("source", "hour_start");

-- CreateIndex
CREATE INDEX "hourly_emotion_rollup_campaign_hour_start_idx" ON "hourly_emotion_rollup"("campaign", "hour_start");

-- CreateIndex
CREATE UNIQUE INDEX "api_key_prefix_key" ON "api_key"("prefix");

-- AddForeignKey
ALTER TABLE "run" ADD CONSTRAINT "run_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "epoch_metric" ADD CONSTRAINT "epoch_metric_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evaluation" ADD CONSTRAINT "evaluation_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evaluation" ADD CONSTRAINT "evaluation_model_version_id_fkey" FOREIGN KEY ("model_version_id") REFERENCES "model_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_version" ADD CONSTRAINT "model_version_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "analysis" ADD CONSTRAINT "analysis_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_key"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "face" ADD CONSTRAINT "face_analysis_id_fkey" FOREIGN KEY ("analysis_id") REFERENCES "analysis"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rate_limit_window" ADD CONSTRAINT "rate_limit_window_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_key"("id") ON DELETE CASCADE ON UPDATE CASCADE;

