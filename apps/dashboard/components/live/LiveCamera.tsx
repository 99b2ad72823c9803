"use client";

import { ErrorState } from "@/components/ui/ErrorState";
import { EMOTION_COLORS, fromEmotionEnum, type Emotion } from "@moodlens/shared";
import { useCallback, useEffect, useId, useRef, useState } from "react";
import { EmotionLegend } from "@/components/charts/EmotionLegend";
import { EmotionTag } from "@/components/ui/EmotionTag";
import { ProbabilityList } from "@/components/ui/ProbabilityBars";
import type { FrameAnalysis, TrackedFace } from "@/lib/api/types";
import { formatPercent } from "@/lib/format";
import type { ApiErrorInfo } from "@/lib/graphql";
import {
  DEFAULT_FRAME_RATE,
  FAILURES_BEFORE_OUTAGE,
  FRAME_RATES,
  captureSize,
  describeCameraError,
  historyPoint,
  pushHistory,
  type CameraProblem,
  type HistoryPoint,
} from "@/lib/live";
import { LiveHistoryChart } from "./LiveHistoryChart";
import { TextField } from "@/components/ui/TextField";

type CameraState =
  | { kind: "off" }
  | { kind: "starting" }
  | { kind: "on" }
  | { kind: "error"; problem: CameraProblem };

const probabilitiesOf = (face: TrackedFace): Partial<Record<Emotion, number>> =>
  Object.fromEntries(face.emotions.map((entry) => [fromEmotionEnum(entry.emotion), entry.probability]));

const randomId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(8)), (byte) => byte.toString(16).padStart(2, "0")).join(
    "",
  );

function drawOverlay(canvas: HTMLCanvasElement, faces: readonly TrackedFace[]) {
  const context = canvas.getContext("2d");
  if (!context) return;
  context.clearRect(0, 0, canvas.width, canvas.height);
  const scale = canvas.width / 640;
  context.lineWidth = Math.max(2, 3 * scale);
  context.font = `${Math.round(Math.max(12, 15 * scale))}px system-ui, sans-serif`;
  for (const face of faces) {
    const emotion = fromEmotionEnum(face.dominantEmotion);
    const color = EMOTION_COLORS[emotion];
    const probability = probabilitiesOf(face)[emotion] ?? 0;
    context.strokeStyle = color;
    context.strokeRect(face.box.x, face.box.y, face.box.width, face.box.height);
    const label = `#${face.trackId} ${emotion} ${Math.round(probability * 100)}%`;
    const width = context.measureText(label).width + 8;
    const height = Math.round(Math.max(16, 20 * scale));
    const top = face.box.y >= height ? face.box.y - height : face.box.y + face.box.height;
    // Kept inside the frame when the face is at its right edge.
    const left = Math.max(0, Math.min(face.box.x, canvas.width - width));
    context.fillStyle = color;
    context.fillRect(left, top, width, height);
    context.fillStyle = "#fff";
    context.fillText(label, left + 4, top + height - 5);
  }
}

/**
 * The browser's camera, a frame at a time to analyzeFrame (through /api/live/frame) at the chosen rate; at most one
 * frame in flight, so a slow API lowers the rate instead of queueing. Boxes and the smoothed labels are drawn on a
 * canvas over the video; frames are encoded in memory, sent, and dropped.
 */
export function LiveCamera({ mayRecord }: { mayRecord: boolean }) {
  const [camera, setCamera] = useState<CameraState>({ kind: "off" });
  const [rate, setRate] = useState<number>(DEFAULT_FRAME_RATE);
  const [record, setRecord] = useState(false);
  const [source, setSource] = useState("live");
  const [campaign, setCampaign] = useState("");
  const [faces, setFaces] = useState<TrackedFace[]>([]);
  const [history, setHistory] = useState<HistoryPoint[]>([]);
  const [apiProblem, setApiProblem] = useState<ApiErrorInfo | null>(null);
  const [stats, setStats] = useState({ sent: 0, answered: 0, lastMs: 0 });
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const overlayRef = useRef<HTMLCanvasElement | null>(null);
  const captureRef = useRef<HTMLCanvasElement | null>(null);
  const streamRef = useRef<MediaStream | null>(null);
  const session = useRef({ id: "", started: 0, failures: 0, inFlight: false });
  // The loop reads the latest settings without restarting.
  const settings = useRef({ record, source, campaign });
  settings.current = { record, source, campaign };
  const ids = { rate: useId(), record: useId(), source: useId(), campaign: useId() };

  const stop = useCallback(() => {
    streamRef.current?.getTracks().forEach((track) => track.stop());
    streamRef.current = null;
    if (videoRef.current) videoRef.current.srcObject = null;
    setCamera((current) => (current.kind === "error" ? current : { kind: "off" }));
    setFaces([]);
  }, []);

  useEffect(() => stop, [stop]);

  const start = async () => {
    setApiProblem(null);
    if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) {
      setCamera({ kind: "error", problem: describeCameraError(null, window.isSecureContext) });
      return;
    }
    setCamera({ kind: "starting" });
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      });
      streamRef.current = stream;
      const video = videoRef.current!;
      video.srcObject = stream;
      await video.play();
      session.current = {
        id: `live-${randomId()}`,
        started: performance.now(),
        failures: 0,
        inFlight: false,
      };
      setHistory([]);
      setStats({ sent: 0, answered: 0, lastMs: 0 });
      setCamera({ kind: "on" });
    } catch (error) {
      streamRef.current?.getTracks().forEach((track) => track.stop());
      streamRef.current = null;
      setCamera({ kind: "error", problem: describeCameraError(error) });
    }
  };

  const sendFrame = useCallback(async () => {
    const video = videoRef.current;
    const capture = captureRef.current;
    const state = session.current;
    if (!video || !capture || state.inFlight || video.videoWidth === 0) return;
    const size = captureSize(video.videoWidth, video.videoHeight);
    capture.width = size.width;
    capture.height = size.height;
    capture.getContext("2d")?.drawImage(video, 0, 0, size.width, size.height);
    const image = capture.toDataURL("image/jpeg", 0.85);
    const timestamp = Math.round(performance.now() - state.started);
    const { record: recording, source: recordSource, campaign: recordCampaign } = settings.current;
    state.inFlight = true;
    setStats((current) => ({ ...current, sent: current.sent + 1 }));
    const began = performance.now();
    try {
      const response = await fetch("/api/live/frame", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          streamId: state.id,
          image,
          timestamp,
          record: recording,
          ...(recording
            ? { source: recordSource.trim() || undefined, campaign: recordCampaign.trim() || undefined }
            : {}),
        }),
        signal: AbortSignal.timeout(12_000),
      });
      const body = (await response.json().catch(() => null)) as {
        ok: boolean;
        analysis?: FrameAnalysis;
        error?: ApiErrorInfo;
      } | null;
      if (state !== session.current) return; // a new session started meanwhile
      if (!body?.ok || !body.analysis) {
        throw Object.assign(new Error(body?.error?.message ?? `HTTP ${response.status}`), {
          info: body?.error,
        });
      }
      const analysis = body.analysis;
      state.failures = 0;
      setApiProblem(null);
      setFaces(analysis.faces);
      setHistory((current) => pushHistory(current, historyPoint(analysis.timestamp / 1000, analysis.faces)));
      setStats((current) => ({
        ...current,
        answered: current.answered + 1,
        lastMs: Math.round(performance.now() - began),
      }));
      const overlay = overlayRef.current;
      if (overlay) {
        overlay.width = size.width;
        overlay.height = size.height;
        overlay.dataset.boxes = String(analysis.faces.length);
        drawOverlay(overlay, analysis.faces);
      }
    } catch (error) {
      state.failures += 1;
      const info = (error as { info?: ApiErrorInfo }).info;
      // Refusals (role, bad input) are shown at once; network trouble only after several frames in a row.
      if (info && info.code !== "API_UNREACHABLE" && info.code !== "API_TIMEOUT") setApiProblem(info);
      else if (state.failures >= FAILURES_BEFORE_OUTAGE) {
        setApiProblem({
          code: info?.code ?? "API_UNREACHABLE",
          title: "The API stopped answering",
          message: `${state.failures} frames in a row got no answer (${error instanceof Error ? error.message : String(error)}). Still trying; the boxes are from the last answer.`,
          hint: "Check that the Moodlens API is running (npm start).",
        });
      }
    } finally {
      state.inFlight = false;
    }
  }, []);

  useEffect(() => {
    if (camera.kind !== "on") return;
    const timer = setInterval(() => void sendFrame(), 1000 / rate);
    return () => clearInterval(timer);
  }, [camera.kind, rate, sendFrame]);

  const running = camera.kind === "on" || camera.kind === "starting";

  return (
    <div className="grid" style={{ gap: 16 }}>
      <div className="notice notice--info" role="note" data-testid="live-privacy-notice">
        Frames from your camera are analysed and not kept: each is sent once, analysed in memory and dropped.
        Only with “record this session” are the aggregated results per face and second stored (no images).
      </div>

      <section className="card" aria-labelledby="live-controls-heading">
        <h2 id="live-controls-heading" className="visually-hidden">
          Camera controls
        </h2>
        <div className="toolbar">
          {running ? (
            <button type="button" className="button button--secondary" onClick={stop} data-testid="live-stop">
              Stop camera
            </button>
          ) : (
            <button type="button" className="button" onClick={start} data-testid="live-start">
              Start camera
            </button>
          )}
          <div className="field">
            <label htmlFor={ids.rate}>Frames per second</label>
            <select
              id={ids.rate}
              value={rate}
              onChange={(event) => setRate(Number(event.target.value))}
              data-testid="live-rate"
            >
              {FRAME_RATES.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </div>
          {mayRecord && (
            <label className="checkbox" htmlFor={ids.record}>
              <input
                id={ids.record}
                type="checkbox"
                role="switch"
                checked={record}
                onChange={(event) => setRecord(event.target.checked)}
                data-testid="live-record"
              />
              Record this session’s results (per face and second, no images)
            </label>
          )}
          {record && (
            <>
              <TextField
                id={ids.source}
                label="Source"
                value={source}
                onChange={setSource}
                testId="live-source"
              />
              <TextField
                id={ids.campaign}
                label="Campaign (optional)"
                value={campaign}
                onChange={setCampaign}
                testId="live-campaign"
              />
            </>
          )}
        </div>
        <p
          className="chart-hint"
          role="status"
          aria-live="polite"
          data-testid="live-status"
          data-state={camera.kind}
          data-sent={stats.sent}
          data-answered={stats.answered}
        >
          {camera.kind === "off" && "The camera is off."}
          {camera.kind === "starting" && "Starting the camera…"}
          {camera.kind === "on" &&
            `Camera on · ${stats.answered} of ${stats.sent} frames analysed${stats.lastMs ? ` · last answer ${stats.lastMs} ms` : ""}${record ? " · recording" : ""}`}
        </p>
        {camera.kind === "error" && (
          <ErrorState error={camera.problem} testId="live-error" heading="h3" retry={false} />
        )}
        {apiProblem && <ErrorState error={apiProblem} testId="live-api-error" heading="h3" retry={false} />}
      </section>

      <div className="grid grid--main-side">
        <section className="card" aria-labelledby="live-video-heading">
          <h2 id="live-video-heading">Camera</h2>
          <div className="live-stage" data-testid="live-stage" hidden={!running}>
            <video ref={videoRef} muted playsInline aria-label="Your camera" data-testid="live-video" />
            <canvas ref={overlayRef} aria-hidden="true" data-testid="live-overlay" data-boxes="0" />
          </div>
          <canvas ref={captureRef} hidden />
          {!running && <p className="chart-hint">Start the camera to see the analysis live.</p>}
        </section>
        <section className="card" aria-labelledby="live-faces-heading">
          <h2 id="live-faces-heading">Faces now ({faces.length})</h2>
          {faces.length === 0 ? (
            <p className="chart-hint">{camera.kind === "on" ? "No face in the last analysed frame." : "–"}</p>
          ) : (
            <div className="live-faces">
              {faces.map((face) => {
                const emotion = fromEmotionEnum(face.dominantEmotion);
                return (
                  <article
                    key={face.trackId}
                    data-testid="live-face"
                    data-track={face.trackId}
                    data-emotion={emotion}
                  >
                    <h3 style={{ margin: "0 0 4px" }}>
                      Face #{face.trackId}: <EmotionTag emotion={emotion} />{" "}
                      <span className="chart-hint">
                        {formatPercent(probabilitiesOf(face)[emotion] ?? 0, 0)}
                      </span>
                    </h3>
                    <ProbabilityList probabilities={probabilitiesOf(face)} />
                  </article>
                );
              })}
            </div>
          )}
        </section>
      </div>

      <section className="card" aria-labelledby="live-history-heading">
        <h2 id="live-history-heading">The last minute</h2>
        <p className="card__description">
          Mean smoothed probability of each emotion over the faces in view, per analysed frame.
        </p>
        <EmotionLegend />
        <LiveHistoryChart history={history} />
      </section>
    </div>
  );
}
