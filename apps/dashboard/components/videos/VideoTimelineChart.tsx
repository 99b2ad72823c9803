"use client";

import { EMOTIONS, EMOTION_COLORS } from "@moodlens/shared";
import { Area, CartesianGrid, ComposedChart, Line, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import { AXIS_TICK, GRID_STROKE } from "@/components/charts/ClickableChart";
import { EmotionTooltip } from "@/components/charts/EmotionTooltip";
import { formatSeconds, type Peak, type TimelineRow } from "@/lib/video-timeline";

const VALENCE_COLOR = "#1b2440";
const PLAYHEAD_COLOR = "#d62728";

/**
 * The video's seconds: stacked share of each emotion (left axis, 0-100 %) and the mean valence (right axis, −1…+1),
 * the peaks as dashed markers, and the player's position as a red playhead. Clicking a second seeks the player there.
 */
export function VideoTimelineChart({
  rows,
  peaks,
  playhead,
  onSeek,
  summary,
}: {
  rows: TimelineRow[];
  peaks: Peak[];
  playhead: number | null;
  onSeek: (second: number) => void;
  summary: string;
}) {
  const seek = (state: { activeTooltipIndex?: unknown; activeLabel?: unknown }) => {
    const row = rows[Number(state.activeTooltipIndex)];
    if (row) onSeek(row.second);
  };
  return (
    <div
      className="chart chart--clickable"
      data-testid="video-timeline-chart"
      data-seconds={rows.length}
      data-playhead={playhead ?? ""}
      data-peaks={peaks.map((peak) => `${peak.second}:${peak.emotion}`).join(",")}
    >
      <p className="visually-hidden">{summary}</p>
      <ComposedChart
        responsive
        style={{ width: "100%", height: 300 }}
        data={rows}
        margin={{ top: 16, right: 8, bottom: 0, left: 0 }}
        title="Emotion share and mean valence per second"
        desc={summary}
        onClick={seek}
      >
        <CartesianGrid strokeDasharray="3 3" stroke={GRID_STROKE} vertical={false} />
        <XAxis
          dataKey="second"
          tickFormatter={(second: number) => formatSeconds(second)}
          minTickGap={24}
          tick={AXIS_TICK}
        />
        <YAxis
          yAxisId="share"
          domain={[0, 1]}
          tickFormatter={(value: number) => `${Math.round(value * 100)}%`}
          tick={AXIS_TICK}
          width={44}
        />
        <YAxis
          yAxisId="valence"
          orientation="right"
          domain={[-1, 1]}
          ticks={[-1, -0.5, 0, 0.5, 1]}
          tick={AXIS_TICK}
          width={36}
        />
        <Tooltip
          content={
            <EmotionTooltip
              title={(row: TimelineRow) => `${formatSeconds(row.second)} (second ${row.second})`}
            />
          }
        />
        {EMOTIONS.map((emotion) => (
          <Area
            key={emotion}
            yAxisId="share"
            type="stepAfter"
            dataKey={emotion}
            name={emotion}
            stackId="share"
            stroke={EMOTION_COLORS[emotion]}
            fill={EMOTION_COLORS[emotion]}
            fillOpacity={0.8}
            isAnimationActive={false}
          />
        ))}
        <Line
          yAxisId="valence"
          type="monotone"
          dataKey="meanValence"
          name="Mean valence"
          stroke={VALENCE_COLOR}
          strokeWidth={2}
          dot={false}
          isAnimationActive={false}
        />
        {peaks.map((peak) => (
          <ReferenceLine
            key={`${peak.emotion}-${peak.second}`}
            yAxisId="share"
            x={peak.second}
            stroke={EMOTION_COLORS[peak.emotion]}
            strokeDasharray="4 3"
            strokeWidth={2}
            label={{ value: `▲ ${peak.emotion}`, position: "top", fontSize: 11, fill: "#1b2440" }}
          />
        ))}
        {playhead != null && (
          <ReferenceLine yAxisId="share" x={playhead} stroke={PLAYHEAD_COLOR} strokeWidth={2} />
        )}
      </ComposedChart>
    </div>
  );
}
