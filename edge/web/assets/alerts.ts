/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { api } from './common.js';

interface AlertAnswer {
  readonly state?: string;
  readonly error?: string;
}

/** Tries for a picture still being saved: every 2 s for 30 s, then the placeholder says it never came. */
const PICTURE_TRIES = 15;
const PICTURE_RETRY_MS = 2000;

function awaitPicture(placeholder: HTMLElement, url: string, tries: number): void {
  const image = new Image();
  image.alt = placeholder.dataset.alt ?? '';
  image.addEventListener('load', () => {
    const link = document.createElement('a');
    link.href = url;
    link.append(image);
    placeholder.replaceWith(link);
  });
  image.addEventListener('error', () => {
    if (tries <= 1) placeholder.textContent = 'no picture was saved';
    else window.setTimeout(() => { awaitPicture(placeholder, url, tries - 1); }, PICTURE_RETRY_MS);
  });
  image.src = url;
}

for (const placeholder of document.querySelectorAll<HTMLElement>('[data-picture]')) {
  const url = placeholder.dataset.picture;
  if (url !== undefined) awaitPicture(placeholder, url, PICTURE_TRIES);
}

for (const form of document.querySelectorAll<HTMLFormElement>('form.alert-actions')) {
  const id = form.dataset.alert ?? '';
  const problem = form.querySelector<HTMLElement>('[data-field="problem"]');
  const card = form.closest('.alert');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
  });
  for (const button of form.querySelectorAll<HTMLButtonElement>('button[data-action]')) {
    button.addEventListener('click', () => {
      const action = button.dataset.action === 'ack' ? 'ack' : 'resolve';
      const feedback = form.querySelector<HTMLInputElement>('input[name="feedback"]')?.value.trim() ?? '';
      if (action === 'resolve' && feedback === '') {
        if (problem !== null) {
          problem.textContent = 'Say how it was handled before resolving.';
          problem.hidden = false;
        }
        return;
      }
      button.disabled = true;
      void api<AlertAnswer>('POST', `/api/alerts/${encodeURIComponent(id)}/${action}`, action === 'ack' ? {} : { feedback }).then((answer) => {
        button.disabled = false;
        if (!answer.ok) {
          if (problem !== null) {
            problem.textContent = answer.data.error ?? `refused (${String(answer.status)})`;
            problem.hidden = false;
          }
          return;
        }
        const state = answer.data.state ?? '';
        const cell = card?.querySelector('[data-field="state"]');
        if (cell) cell.textContent = state;
        card?.classList.remove('state-raised', 'state-acknowledged');
        card?.classList.add(`state-${state}`);
        if (action === 'ack') button.remove();
        else form.remove();
      });
    });
  }
}
