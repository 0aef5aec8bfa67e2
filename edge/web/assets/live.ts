/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import './common.js';

/** The part of JSMpeg's player (the UMD script loaded before this module) used here. */
interface JsmpegPlayer {
  destroy(): void;
}
interface Jsmpeg {
  Player: new (url: string, options: Record<string, unknown>) => JsmpegPlayer;
}

const canvas = document.querySelector<HTMLCanvasElement>('canvas#live');
const state = document.getElementById('live-state');
const jsmpeg = (window as unknown as { JSMpeg?: Jsmpeg }).JSMpeg;

if (canvas !== null && jsmpeg !== undefined) {
  const camera = canvas.dataset.camera ?? '';
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${window.location.host}/cameras/${encodeURIComponent(camera)}/live.ws`;
  let frames = 0;
  // The player reconnects by itself (every 2 s) when the gateway restarts the stream or drops a slow viewer.
  const player = new jsmpeg.Player(url, {
    canvas,
    audio: false,
    reconnectInterval: 2,
    videoBufferSize: 1024 * 1024,
    onVideoDecode: () => {
      frames += 1;
      if (frames === 1 && state !== null) state.textContent = 'Live';
    },
  });
  window.addEventListener('pagehide', () => {
    player.destroy();
  });
} else if (state !== null) {
  state.textContent = 'The video player could not be loaded.';
}
