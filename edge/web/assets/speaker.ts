/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { api, el } from './common.js';

interface SpeakerAnswer {
  readonly device?: string;
  readonly amplifier?: string;
  readonly chime?: boolean;
  readonly outcome?: string;
  readonly renderMs?: number;
  readonly playMs?: number;
  readonly error?: string | null;
}

const form = document.querySelector<HTMLFormElement>('form#speaker-test');
const result = document.getElementById('speaker-result');

form?.addEventListener('submit', (event) => {
  event.preventDefault();
  const button = form.querySelector('button');
  const text = new FormData(form).get('text');
  if (button !== null) button.disabled = true;
  result?.replaceChildren(el('p', { class: 'note' }, 'Playing…'));
  void api<SpeakerAnswer>('POST', '/api/speaker-test', { text: typeof text === 'string' ? text : undefined }).then((answer) => {
    if (button !== null) button.disabled = false;
    const data = answer.data;
    const ok = answer.ok && data.outcome === 'completed';
    result?.replaceChildren(
      el('p', { class: ok ? 'saved' : 'problem' }, ok ? 'Played to the end.' : `Not played: ${data.error ?? data.outcome ?? String(answer.status)}`),
      el('dl', {}, el('dt', {}, 'Device'), el('dd', {}, data.device ?? ''), el('dt', {}, 'Amplifier'), el('dd', {}, data.amplifier ?? ''), el('dt', {}, 'Chime'), el('dd', {}, data.chime === true ? 'yes' : 'no'), el('dt', {}, 'Rendered / played'), el('dd', {}, `${String(data.renderMs ?? 0)} ms / ${String(data.playMs ?? 0)} ms`)),
    );
  });
});
