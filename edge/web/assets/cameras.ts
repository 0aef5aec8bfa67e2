/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { api } from './common.js';

interface CameraRow {
  readonly id: string;
  readonly state: string;
  readonly degraded: boolean;
  readonly fps: number;
  readonly detectorRuns: number;
  readonly lastFrameAt: number | undefined;
}

const REFRESH_MS = 2000;
const previous = new Map<string, { at: number; runs: number }>();

function ago(at: number | undefined, now: number): string {
  if (at === undefined) return 'never';
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  return seconds < 120 ? `${String(seconds)} s ago` : `${String(Math.round(seconds / 60))} min ago`;
}

function set(card: Element, field: string, text: string, className?: string): void {
  const cell = card.querySelector(`[data-field="${field}"]`);
  if (cell === null) return;
  cell.textContent = text;
  if (className !== undefined) cell.className = className;
}

/** Refreshes each camera card; the detector rate comes from two samples of the run counter. */
async function refresh(): Promise<void> {
  const answer = await api<{ at: number; cameras: CameraRow[] }>('GET', '/api/cameras');
  if (!answer.ok) return;
  const { at, cameras } = answer.data;
  for (const camera of cameras) {
    const card = document.querySelector(`[data-camera="${CSS.escape(camera.id)}"]`);
    if (card === null) continue;
    set(card, 'state', `${camera.state}${camera.degraded ? ' (no detector)' : ''}`, `state-${camera.state}`);
    set(card, 'fps', camera.fps.toFixed(1));
    set(card, 'last-frame', ago(camera.lastFrameAt, at));
    const before = previous.get(camera.id);
    if (before !== undefined && at > before.at) set(card, 'detect-rate', (((camera.detectorRuns - before.runs) * 1000) / (at - before.at)).toFixed(1));
    previous.set(camera.id, { at, runs: camera.detectorRuns });
    const picture = card.querySelector('img');
    if (picture !== null) picture.src = `/cameras/${encodeURIComponent(camera.id)}/frame.jpg?at=${String(at)}`;
  }
}

void refresh();
setInterval(() => {
  void refresh();
}, REFRESH_MS);
