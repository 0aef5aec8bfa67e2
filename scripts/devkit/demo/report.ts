import { z } from 'zod';
import type { DemoEvent, DemoSummary } from './demo.js';

const seconds = (value: number | undefined): string => (value === undefined ? '?' : `${value.toFixed(1)} s`);
const ms = (value: number | undefined): string => (value === undefined ? '-' : `${String(Math.round(value))} ms`);
const clock = (epochMs: number): string => new Date(epochMs).toISOString().slice(11, 23);

/** One event of `huxiao demo` as the text a newcomer reads. */
export function formatEvent(event: DemoEvent): string {
  switch (event.kind) {
    case 'ready':
      return [
        `camera   RTSP ${event.rtspUrl} (../shared/media/vtest.avi as H.264)`,
        `centre   ${event.embeddedBroker ? 'embedded MQTT broker' : 'configured broker'} ${event.brokerUrl}`,
        `speaker  ${event.audio.audible ? `ALSA device "${event.audio.device}": warnings are heard` : 'no sound card: warnings are rendered to WAV files and played to ALSA\'s null device'}`,
        'running the footage (79.5 s, real time); Ctrl-C stops early',
        '',
      ].join('\n');
    case 'alert': {
      const { alert } = event;
      const track = alert.trackId === null ? '' : ` track ${String(alert.trackId)}`;
      return `${clock(alert.receivedAt)} centre  <- alert #${String(alert.seq)} ${alert.type} (${alert.severity}) zone ${alert.zone}${track} at ${seconds(event.mediaSeconds)} of the footage, id ${alert.id}\n`;
    }
    case 'snapshot':
      return `${clock(Date.now())} centre  <- snapshot of alert #${String(event.alert.seq)}: ${(((event.alert.snapshotBytes ?? 0) / 1024)).toFixed(1)} KiB JPEG (${event.path})\n`;
    case 'telemetry': {
      const { telemetry } = event;
      const cameras = telemetry.cameras.map((c) => `${c.id} ${c.state} ${c.fps.toFixed(1)} fps`).join(', ');
      const p50 = telemetry.inference.latencyMsP50;
      return `${clock(telemetry.at)} centre  <- telemetry: ${cameras}; detector p50 ${p50 === null ? '-' : `${p50.toFixed(0)} ms`}; outbox ${String(telemetry.outbox.depth)}; disk ${(telemetry.disk.usedBytes / 2 ** 20).toFixed(1)} MiB\n`;
    }
    case 'warning':
      return `${clock(event.startedAt)} speaker -> "${event.text}" (${event.wavPath})\n`;
    case 'summary':
      return formatSummary(event.summary);
  }
}

function formatSummary(summary: DemoSummary): string {
  const lines = [
    '',
    `── demo summary (${summary.endedBy === 'footage-end' ? 'end of footage' : summary.endedBy}) ──`,
    `frames processed   ${String(summary.frames)} (detector ran on ${String(summary.detectorRuns)}, ${String(summary.frames - summary.detectorRuns)} skipped by the motion gate)`,
    `detections         ${String(summary.detections)}`,
    `alerts             ${String(summary.alertsRaised)} raised, ${String(summary.alertsDelivered)} delivered to the centre (${String(summary.duplicateDeliveries)} duplicate deliveries), ${String(summary.snapshotsReceived)} with snapshot`,
    `warnings spoken    ${String(summary.warningsSpoken)} ${summary.audio.audible ? '(heard on the speaker)' : '(no sound card: WAV files only)'}`,
    `SQLite store       ${summary.database}`,
    `snapshots          ${summary.snapshotsDir}`,
    `rendered warnings  ${summary.audioDir}`,
  ];
  if (summary.timings.length > 0) {
    lines.push('', 'from the first frame with the object inside the zone to:  (media time | wall time)');
    for (const t of summary.timings) {
      const media = t.firstSeenMedia === undefined || t.decidedMedia === undefined ? '?' : `${(t.decidedMedia - t.firstSeenMedia).toFixed(1)} s`;
      lines.push(
        `  ${t.type.padEnd(9)} track ${String(t.trackId ?? '-').padEnd(4)} first inside at ${seconds(t.firstSeenMedia)}: decided +${media} | committed +${ms(t.toCommitMs)}, warning +${ms(t.toWarningMs)}, centre +${ms(t.toCentreMs)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

const logRecord = z.object({
  level: z.number(),
  time: z.number(),
  module: z.string().optional(),
  msg: z.string().optional(),
  code: z.union([z.string(), z.number()]).optional(),
  err: z.union([z.string(), z.object({ message: z.string().optional(), code: z.union([z.string(), z.number()]).optional() })]).optional(),
});

function logRecordOf(line: string): z.infer<typeof logRecord> | undefined {
  try {
    const parsed = logRecord.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A warning or error of the gateway's log as one line beside the demo's own; the whole record is in the log file. */
export function formatLogLine(line: string): string {
  const record = logRecordOf(line);
  if (record === undefined) return line;
  const { level, time, module, msg, code, err } = record;
  const label = level >= 50 ? 'error' : level >= 40 ? 'warning' : 'log';
  const detail = typeof err === 'string' ? err : err?.message;
  const errCode = typeof err === 'object' ? (err.code ?? code) : code;
  const because = detail === undefined ? '' : `: ${errCode === undefined ? '' : `${String(errCode)} `}${detail}`;
  return `${clock(time)} ${label.padEnd(7)} ${module === undefined ? '' : `${module}: `}${msg ?? ''}${because}\n`;
}
