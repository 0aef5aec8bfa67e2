/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { api } from './common.js';

interface GalleryAnswer {
  readonly id?: string;
  readonly error?: string;
}

const form = document.querySelector<HTMLFormElement>('form#enroll');
const enrollProblem = document.getElementById('enroll-problem');
const removeProblem = document.getElementById('remove-problem');

function show(element: HTMLElement | null, text: string): void {
  if (element === null) return;
  element.textContent = text;
  element.hidden = false;
}

/** The file's bytes as base64, without the data: URL prefix (the server checks the format by the bytes themselves). */
function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = typeof reader.result === 'string' ? reader.result : '';
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => {
      reject(reader.error ?? new Error('the file cannot be read'));
    };
    reader.readAsDataURL(file);
  });
}

async function enroll(target: HTMLFormElement): Promise<void> {
  const data = new FormData(target);
  const file = data.get('photo');
  if (!(file instanceof File) || file.size === 0) {
    show(enrollProblem, 'Choose a photo.');
    return;
  }
  const text = (name: string): string => {
    const value = data.get(name);
    return typeof value === 'string' ? value : '';
  };
  const body = { photo: await base64Of(file), name: text('name'), class: text('class'), school: text('school'), id: text('id'), list: text('list'), consent: text('consent') };
  const answer = await api<GalleryAnswer>('POST', '/api/gallery/persons', body);
  if (answer.ok && answer.data.id !== undefined) {
    window.location.assign(`/gallery?enrolled=${encodeURIComponent(answer.data.id)}`);
    return;
  }
  show(enrollProblem, answer.data.error ?? `Not enrolled (HTTP ${String(answer.status)}).`);
}

form?.addEventListener('submit', (event) => {
  event.preventDefault();
  const button = form.querySelector('button');
  if (button !== null) button.disabled = true;
  if (enrollProblem !== null) enrollProblem.hidden = true;
  void enroll(form).finally(() => {
    if (button !== null) button.disabled = false;
  });
});

for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-remove]')) {
  button.addEventListener('click', () => {
    const id = button.dataset.remove ?? '';
    button.disabled = true;
    void api<GalleryAnswer>('DELETE', `/api/gallery/persons/${encodeURIComponent(id)}`).then((answer) => {
      if (answer.ok) window.location.assign(`/gallery?removed=${encodeURIComponent(id)}`);
      else {
        button.disabled = false;
        show(removeProblem, answer.data.error ?? `Not removed (HTTP ${String(answer.status)}).`);
      }
    });
  });
}
