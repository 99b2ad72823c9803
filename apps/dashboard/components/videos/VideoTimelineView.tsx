"use client";

import { EMOTION_COLORS, fromEmotionEnum } from "@moodlens/shared";
import { useEffect, useMemo, useRef, useState } from "react";
import { EmotionLegend } from "@/components/charts/EmotionLegend";
import { EmotionTag } from "@/components/ui/EmotionTag";
import type { VideoJobDetail } from "@/lib/api/types";
import { formatDecimal, formatPercent } from "@/lib/format";
import { TimelineTable } from "./TimelineTable";
import { findLocalVideo } from "@/lib/local-videos";
import {
  findPeaks,
  formatSeconds,
  secondAt,
  timelineRows,
  timelineToCsv,
  tracksToCsv,
} from "@/lib/video-timeline";
import { VideoTimelineChart } from "./VideoTimelineChart";

type LocalCopy = { state: "looking" } | { state: "found"; url: string } | { state: "missing" };

function download(name: string, csv: string) {
  const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/**
 * The player (this browser's own copy of the file) and the timeline, synced both ways: the playhead follows the
 * player, a click on the chart or on a track seeks it. Without a local copy the timeline still works on its own.
 */
export function VideoTimelineView({ job }: { job: VideoJobDetail }) {
  const rows = useMemo(() => timelineRows(job.timeline), [job.timeline]);
  const peaks = useMemo(() => findPeaks(rows), [rows]);
  const [local, setLocal] = useState<LocalCopy>({ state: "looking" });
  const [time, setTime] = useState(0);
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const duration = job.video?.durationSeconds ?? (rows.length ? rows[rows.length - 1]!.second + 1 : 0);

  useEffect(() => {
    let url: string | null = null;
    let cancelled = false;
    findLocalVideo(job.id).then((blob) => {
      if (cancelled) return;
      if (!blob) return setLocal({ state: "missing" });
      url = URL.createObjectURL(blob);
      setLocal({ state: "found", url });
    });
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [job.id]);

  const seek = (seconds: number) => {
    setTime(seconds);
    if (videoRef.current) videoRef.current.currentTime = seconds;
  };

  const playhead = secondAt(time, rows);
  const base = (job.fileName ?? job.id).replace(/\.[^.]+$/, "").replace(/[^\w.-]+/g, "_");
  const summary = `Per-second timeline of ${rows.length} seconds. ${
    peaks.length
      ? `Peaks: ${peaks.map((peak) => `${peak.emotion} ${formatPercent(peak.share, 0)} at ${formatSeconds(peak.second)}`).join(", ")}.`
      : "No emotion reaches half of the faces in any second."
  }`;

  return (
    <div className="grid" style={{ gap: 16 }}>
      <section className="card" aria-labelledby="player-heading" data-testid="video-player-card">
        <div className="card__header">
          <h2 id="player-heading">Video</h2>
          <span className="chart-hint" data-testid="video-time" data-time={time.toFixed(2)}>
            {formatSeconds(time)} / {formatSeconds(duration)}
          </span>
        </div>
        {local.state === "found" && (
          <video
            ref={videoRef}
            className="video-player"
            src={local.url}
            controls
            preload="auto"
            onTimeUpdate={(event) => setTime(event.currentTarget.currentTime)}
            onSeeked={(event) => setTime(event.currentTarget.currentTime)}
            data-testid="video-player"
          />
        )}
        {local.state === "missing" && (
          <div className="state state--empty" data-testid="no-local-copy">
            <h3>This browser has no copy of the video</h3>
            <p className="state__hint">
              The video is played from the copy kept by the browser it was uploaded from, and the server did
              not keep it{job.videoStored ? "" : " (the operator has not enabled video storage)"}. The
              timeline below is complete; click it to move the marker.
            </p>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="timeline-heading" data-testid="video-timeline-card">
        <div className="card__header">
          <div>
            <h2 id="timeline-heading">Expressions per second</h2>
            <p className="card__description">
              Share of each emotion over the faces visible in each second (stacked), and their mean valence
              (dark line, right axis). Dashed markers are peaks. Click a second to jump there.
            </p>
          </div>
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => download(`${base}-timeline.csv`, timelineToCsv(rows))}
            data-testid="timeline-csv"
          >
            Timeline CSV
          </button>
        </div>
        <EmotionLegend />
        {rows.length === 0 ? (
          <p className="chart-hint">No seconds in the timeline.</p>
        ) : (
          <VideoTimelineChart rows={rows} peaks={peaks} playhead={playhead} onSeek={seek} summary={summary} />
        )}
        <TimelineTable rows={rows} onSeek={seek} />
      </section>

      <section className="card" aria-labelledby="tracks-heading" data-testid="video-tracks-card">
        <div className="card__header">
          <div>
            <h2 id="tracks-heading">Faces ({job.tracks.length})</h2>
            <p className="card__description">
              One row per face followed through the video: when it was visible and its dominant expression.
            </p>
          </div>
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => download(`${base}-tracks.csv`, tracksToCsv(job.tracks))}
            data-testid="tracks-csv"
          >
            Faces CSV
          </button>
        </div>
        {job.tracks.length === 0 ? (
          <p className="chart-hint" data-testid="no-tracks">
            No face was found in this video.
          </p>
        ) : (
          <ol className="tracks" aria-label="Face tracks">
            {[...job.tracks]
              .sort((a, b) => a.index - b.index)
              .map((track) => {
                const emotion = fromEmotionEnum(track.dominantEmotion);
                const left = duration ? (track.firstSeconds / duration) * 100 : 0;
                const width = duration
                  ? Math.max(0.5, ((track.lastSeconds - track.firstSeconds) / duration) * 100)
                  : 100;
                return (
                  <li
                    key={track.index}
                    className="tracks__row"
                    data-testid="track-row"
                    data-track={track.index}
                    data-emotion={emotion}
                  >
                    <span className="tracks__label">
                      Face {track.index + 1} <EmotionTag emotion={emotion} />
                      <span className="chart-hint">
                        {" "}
                        {formatSeconds(track.firstSeconds)}–{formatSeconds(track.lastSeconds)} ·{" "}
                        {track.frames} frames · valence {formatDecimal(track.meanValence, 2)}
                      </span>
                    </span>
                    <span className="tracks__lane">
                      <button
                        type="button"
                        className="tracks__span"
                        style={{ left: `${left}%`, width: `${width}%`, background: EMOTION_COLORS[emotion] }}
                        onClick={() => seek(track.firstSeconds)}
                        aria-label={`Face ${track.index + 1}: jump to ${formatSeconds(track.firstSeconds)}`}
                      />
                      {duration > 0 && (
                        <span
                          className="tracks__playhead"
                          style={{ left: `${Math.min(100, (time / duration) * 100)}%` }}
                          aria-hidden="true"
                        />
                      )}
                    </span>
                  </li>
                );
              })}
          </ol>
        )}
      </section>
    </div>
  );
}
