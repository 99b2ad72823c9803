"use client";

import { ErrorState } from "@/components/ui/ErrorState";
import { EMOTION_COLORS, fromEmotionEnum, type Emotion } from "@moodlens/shared";
import { useEffect, useId, useRef, useState, type ChangeEvent, type DragEvent } from "react";
import { EmotionTag } from "@/components/ui/EmotionTag";
import { ProbabilityList } from "@/components/ui/ProbabilityBars";
import type { AnalyzedImage, Face } from "@/lib/api/types";
import { formatBytes, formatDecimal, formatPercent } from "@/lib/format";
import type { ApiErrorInfo } from "@/lib/graphql";
import { ACCEPT_ATTRIBUTE, ANALYZE_TIMEOUT_MS, checkUpload } from "@/lib/upload";
import { TextField } from "@/components/ui/TextField";

type Status =
  | { kind: "idle" }
  | { kind: "analysing"; explain: boolean }
  | { kind: "done"; analysis: AnalyzedImage; storedRequested: boolean }
  | { kind: "error"; error: ApiErrorInfo };

const probabilitiesOf = (face: Face): Partial<Record<Emotion, number>> =>
  Object.fromEntries(face.emotions.map((entry) => [fromEmotionEnum(entry.emotion), entry.probability]));

/**
 * Upload a photo, preview it locally, analyse it through /api/analyze (store=false unless asked) and draw every
 * face's box with its probabilities; saliency maps on request. The photo itself stays in this browser tab: it is
 * sent for the analysis request only and kept nowhere unless "store this analysis" is ticked.
 */
export function TryIt({ maxBytes }: { maxBytes: number }) {
  const [file, setFile] = useState<File | null>(null);
  const [previewUrl, setPreviewUrl] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [store, setStore] = useState(false);
  const [campaign, setCampaign] = useState("");
  const [status, setStatus] = useState<Status>({ kind: "idle" });
  const [selectedFace, setSelectedFace] = useState<number | null>(null);
  const [showSaliency, setShowSaliency] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [naturalSize, setNaturalSize] = useState<{ width: number; height: number } | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  // One idempotency key per chosen photo: retrying a stored analysis returns the stored one instead of counting twice.
  const requestIdRef = useRef<string | null>(null);
  const ids = { file: useId(), store: useId(), campaign: useId(), hint: useId() };

  // Set once React has attached its handlers: a file chosen before that would show in the input but never reach
  // `choose` (the e2e tests wait for it instead of racing the hydration of a slow page).
  const [interactive, setInteractive] = useState(false);
  useEffect(() => setInteractive(true), []);
  useEffect(() => () => abortRef.current?.abort(), []);
  useEffect(() => {
    if (!previewUrl) return;
    return () => URL.revokeObjectURL(previewUrl);
  }, [previewUrl]);

  const choose = (chosen: File | undefined) => {
    abortRef.current?.abort();
    setStatus({ kind: "idle" });
    setSelectedFace(null);
    setShowSaliency(false);
    setNaturalSize(null);
    if (!chosen) return;
    const issue = checkUpload(chosen, maxBytes);
    if (issue) {
      setProblem(issue.message);
      setFile(null);
      setPreviewUrl(null);
      return;
    }
    setProblem(null);
    // getRandomValues works on plain http too (randomUUID needs a secure context).
    requestIdRef.current = `dashboard-${Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
    setFile(chosen);
    setPreviewUrl(URL.createObjectURL(chosen));
  };

  const analyse = async (explain: boolean, storeThis: boolean) => {
    if (!file) return;
    abortRef.current?.abort();
    const controller = new AbortController();
    abortRef.current = controller;
    const timer = setTimeout(
      () => controller.abort(new DOMException("timeout", "TimeoutError")),
      ANALYZE_TIMEOUT_MS + 5_000,
    );
    setStatus({ kind: "analysing", explain });
    const form = new FormData();
    form.set("image", file);
    form.set("store", String(storeThis));
    form.set("explain", String(explain));
    if (storeThis && campaign.trim()) form.set("campaign", campaign.trim());
    if (storeThis && requestIdRef.current)
      form.set("clientRequestId", `${requestIdRef.current}-${campaign.trim()}`);
    try {
      const response = await fetch("/api/analyze", { method: "POST", body: form, signal: controller.signal });
      const body = (await response.json().catch(() => null)) as
        | { ok: true; analysis: AnalyzedImage }
        | { ok: false; error: ApiErrorInfo }
        | null;
      if (!body) throw new Error(`The dashboard answered HTTP ${response.status} without a result.`);
      if (!body.ok) return setStatus({ kind: "error", error: body.error });
      setStatus({ kind: "done", analysis: body.analysis, storedRequested: storeThis });
      if (explain) setShowSaliency(true);
    } catch (error) {
      if (controller.signal.aborted && controller.signal.reason?.name !== "TimeoutError") return;
      const timedOut = controller.signal.aborted;
      setStatus({
        kind: "error",
        error: {
          code: timedOut ? "API_TIMEOUT" : "NETWORK",
          title: timedOut ? "The analysis took too long" : "The analysis request failed",
          message: timedOut
            ? `No answer within ${Math.round((ANALYZE_TIMEOUT_MS + 5_000) / 1000)} s.`
            : error instanceof Error
              ? error.message
              : String(error),
          hint: "Check that the API is running, then try again.",
        },
      });
    } finally {
      clearTimeout(timer);
    }
  };

  const onInput = (event: ChangeEvent<HTMLInputElement>) => choose(event.target.files?.[0]);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    choose(event.dataTransfer.files[0]);
  };

  const analysis = status.kind === "done" ? status.analysis : null;
  const hasSaliency = analysis?.faces.some((face) => face.saliency) ?? false;
  const imageSize = analysis?.image ?? naturalSize;
  const busy = status.kind === "analysing";

  return (
    <div className="grid" style={{ gap: 16 }}>
      <section className="card" aria-labelledby="try-upload-heading">
        <h2 id="try-upload-heading">1. Choose a photo</h2>
        <div
          className={dragging ? "dropzone dropzone--active" : "dropzone"}
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          data-testid="try-dropzone"
        >
          <label htmlFor={ids.file} style={{ fontWeight: 600 }}>
            Photo (JPEG, PNG, WebP, GIF, AVIF or TIFF, up to {formatBytes(maxBytes)})
          </label>
          <input
            id={ids.file}
            type="file"
            accept={ACCEPT_ATTRIBUTE}
            onChange={onInput}
            data-testid="try-file-input"
            data-interactive={interactive}
            aria-describedby={ids.hint}
          />
          <p id={ids.hint} className="chart-hint">
            Or drop a file here. The photo is shown from this browser tab; it is sent to the analysis service
            for this one request and kept nowhere unless you tick “store this analysis”.
          </p>
        </div>
        {problem && (
          <ErrorState
            error={{ code: "INVALID_FILE", message: problem }}
            testId="try-error"
            heading="h3"
            retry={false}
          />
        )}
        <div className="toolbar">
          <label className="checkbox" htmlFor={ids.store}>
            <input
              id={ids.store}
              type="checkbox"
              checked={store}
              onChange={(event) => setStore(event.target.checked)}
              data-testid="try-store"
            />
            Store this analysis (it then counts in the statistics)
          </label>
          {store && (
            <TextField
              id={ids.campaign}
              label="Campaign (optional)"
              value={campaign}
              onChange={setCampaign}
              testId="try-campaign"
            />
          )}
          <button
            type="button"
            className="button"
            disabled={!file || busy}
            onClick={() => analyse(false, store)}
            data-testid="try-analyze"
          >
            {busy ? "Analysing…" : "Analyse photo"}
          </button>
        </div>
      </section>

      {(previewUrl || status.kind !== "idle") && (
        <section
          className="card"
          aria-labelledby="try-result-heading"
          aria-busy={busy}
          data-testid="try-result"
        >
          <div className="card__header">
            <h2 id="try-result-heading">2. Result</h2>
            {analysis && analysis.faces.length > 0 && (
              <div className="toolbar">
                {hasSaliency ? (
                  <label className="checkbox">
                    <input
                      type="checkbox"
                      checked={showSaliency}
                      onChange={(event) => setShowSaliency(event.target.checked)}
                      data-testid="try-saliency-toggle"
                    />
                    Show saliency overlay
                  </label>
                ) : (
                  <button
                    type="button"
                    className="button button--secondary"
                    disabled={busy}
                    onClick={() => analyse(true, false)}
                    data-testid="try-explain"
                    title="Analyses the photo again with explain=true (not stored)"
                  >
                    Explain: show saliency
                  </button>
                )}
              </div>
            )}
          </div>
          <p role="status" aria-live="polite" data-testid="try-status">
            {status.kind === "analysing" &&
              (status.explain ? "Computing saliency maps…" : "Analysing the photo…")}
            {analysis && (
              <span
                data-testid="try-summary"
                data-faces={analysis.faces.length}
                data-stored={analysis.stored}
              >
                {analysis.faces.length === 0
                  ? "No face found."
                  : `${analysis.faces.length} ${analysis.faces.length === 1 ? "face" : "faces"} found`}{" "}
                · model {analysis.modelVersion}
                {analysis.backend ? ` (${analysis.backend})` : ""}
                {analysis.timings ? ` · ${Math.round(analysis.timings.totalMs)} ms` : ""} ·{" "}
                {analysis.stored
                  ? analysis.deduplicated
                    ? "already stored earlier"
                    : "stored"
                  : "not stored"}
              </span>
            )}
          </p>
          {status.kind === "error" && (
            <ErrorState error={status.error} testId="try-error" heading="h3" retry={false} />
          )}
          {analysis && analysis.faces.length === 0 && (
            <div className="state state--empty" data-testid="try-no-face">
              <h3>No face detected</h3>
              <p className="state__hint">
                Try a photo where faces are frontal, well lit and not too small
                {analysis.skipped > 0 ? ` (${analysis.skipped} detections were too small or uncertain)` : ""}.
              </p>
            </div>
          )}
          {previewUrl && (
            <div className="photo-stage" data-testid="try-stage">
              <img
                src={previewUrl}
                alt={
                  analysis
                    ? `Your photo with ${analysis.faces.length} detected faces outlined`
                    : "Preview of your photo"
                }
                data-testid="try-preview"
                onLoad={(event) =>
                  setNaturalSize({
                    width: event.currentTarget.naturalWidth,
                    height: event.currentTarget.naturalHeight,
                  })
                }
              />
              {analysis &&
                imageSize &&
                analysis.faces.map((face) => {
                  const emotion = fromEmotionEnum(face.dominantEmotion);
                  const probability = probabilitiesOf(face)[emotion] ?? 0;
                  return (
                    <button
                      type="button"
                      key={face.index}
                      className="face-box"
                      aria-pressed={selectedFace === face.index}
                      aria-label={`Face ${face.index + 1}: ${emotion} ${formatPercent(probability)}`}
                      onClick={() => setSelectedFace(selectedFace === face.index ? null : face.index)}
                      data-testid="face-box"
                      data-emotion={emotion}
                      style={
                        {
                          left: `${(face.box.x / imageSize.width) * 100}%`,
                          top: `${(face.box.y / imageSize.height) * 100}%`,
                          width: `${(face.box.width / imageSize.width) * 100}%`,
                          height: `${(face.box.height / imageSize.height) * 100}%`,
                          "--box-color": EMOTION_COLORS[emotion],
                        } as React.CSSProperties
                      }
                    >
                      {showSaliency && face.saliency && (
                        <img
                          className="face-box__saliency"
                          src={face.saliency}
                          alt=""
                          data-testid="face-saliency"
                        />
                      )}
                      <span className="face-box__label" aria-hidden="true">
                        {face.index + 1} · {emotion} {Math.round(probability * 100)}%
                      </span>
                    </button>
                  );
                })}
            </div>
          )}
          {analysis && analysis.faces.length > 0 && (
            <div className="faces-list">
              {analysis.faces.map((face) => {
                const emotion = fromEmotionEnum(face.dominantEmotion);
                return (
                  <article
                    key={face.index}
                    className="card"
                    data-testid="face-card"
                    data-emotion={emotion}
                    style={
                      selectedFace === face.index
                        ? { borderColor: "var(--primary)", boxShadow: "0 0 0 2px var(--primary)" }
                        : undefined
                    }
                  >
                    <h3>
                      Face {face.index + 1}: <EmotionTag emotion={emotion} />
                    </h3>
                    <p className="chart-hint">
                      valence {formatDecimal(face.valence, 2)} · detection{" "}
                      {formatPercent(face.detectionScore, 0)}
                    </p>
                    <ProbabilityList probabilities={probabilitiesOf(face)} />
                  </article>
                );
              })}
            </div>
          )}
        </section>
      )}
    </div>
  );
}
