import { HuxiaoError } from '../errors.js';
import type { Secret } from '../config/secret.js';

/** Query parameters some cameras (Hikvision, Dahua, XMeye) take credentials in. */
const SECRET_QUERY = /^(password|passwd|pwd|pass|token|auth|key|user|username)$/i;
const USERINFO_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi;
const SECRET_QUERY_IN_TEXT = /([?&](?:password|passwd|pwd|pass|token|auth|key|user|username)=)[^&\s]*/gi;

/** A URL fit for a log line or an error message: user info and credential query values replaced by "***". */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return redactText(text);
  }
  if (url.username !== '' || url.password !== '') {
    url.username = '***';
    url.password = '';
  }
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_QUERY.test(name)) url.searchParams.set(name, '***');
  }
  return url.toString();
}

/** Redacts every URL credential inside free text, such as an ffmpeg stderr line that echoes its input URL. */
export function redactText(text: string): string {
  return text.replace(USERINFO_IN_TEXT, '$1***@').replace(SECRET_QUERY_IN_TEXT, '$1***');
}

/** Parses an rtsp:// or rtsps:// URL; anything else is CAMERA_URL, named with its credentials redacted. */
export function parseCameraUrl(text: string, where = 'camera URL'): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new HuxiaoError('CAMERA_URL', `${where}: not a URL: ${redactText(text)}`);
  }
  if (url.protocol !== 'rtsp:' && url.protocol !== 'rtsps:') {
    throw new HuxiaoError('CAMERA_URL', `${where}: expected rtsp:// or rtsps://, got ${url.protocol}// in ${redactUrl(text)}`);
  }
  if (url.hostname === '') throw new HuxiaoError('CAMERA_URL', `${where}: no host in ${redactUrl(text)}`);
  return url;
}

export interface CameraCredentials {
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: Secret | undefined;
}

/**
 * The URL ffmpeg opens: username/password from the config inserted as user info. The result carries the password
 * in clear and goes only into ffmpeg's argv; log `redactUrl(camera.url)` instead.
 */
export function inputUrl(camera: CameraCredentials, where?: string): string {
  const url = parseCameraUrl(camera.url, where);
  if (camera.username !== undefined) url.username = encodeURIComponent(camera.username);
  if (camera.password !== undefined) url.password = encodeURIComponent(camera.password.reveal());
  return url.toString();
}
