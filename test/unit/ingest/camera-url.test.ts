import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Secret } from '../../../edge/config/secret.js';
import { isHuxiaoError } from '../../../edge/errors.js';
import { inputUrl, parseCameraUrl, redactText, redactUrl } from '../../../edge/ingest/camera-url.js';

describe('redactUrl', () => {
  it('hides user info and credential query values', () => {
    assert.equal(redactUrl('rtsp://admin:p4ss@10.0.0.2:554/Streaming/Channels/102'), 'rtsp://***@10.0.0.2:554/Streaming/Channels/102');
    assert.equal(redactUrl('rtsp://10.0.0.3/cam?channel=1&user=admin&password=p4ss'), 'rtsp://10.0.0.3/cam?channel=1&user=***&password=***');
    assert.equal(redactUrl('rtsp://10.0.0.4/live'), 'rtsp://10.0.0.4/live');
  });

  it('redacts even text that is not a valid URL', () => {
    assert.doesNotMatch(redactUrl('rtsp://admin:p4ss@[bad/x'), /p4ss/);
  });
});

describe('redactText', () => {
  it('redacts every URL inside a line', () => {
    assert.equal(redactText('a rtsp://u:p@h/x and tcp://v:q@k:1 end'), 'a rtsp://***@h/x and tcp://***@k:1 end');
  });
});

describe('inputUrl', () => {
  it('inserts the configured user and password, percent-encoded', () => {
    const url = inputUrl({ url: 'rtsp://10.0.0.2:554/stream', username: 'ad min', password: new Secret('p@ss:word/') });
    assert.equal(url, 'rtsp://ad%20min:p%40ss%3Aword%2F@10.0.0.2:554/stream');
    assert.equal(decodeURIComponent(new URL(url).password), 'p@ss:word/');
  });

  it('keeps inline credentials when the config gives none', () => {
    assert.equal(inputUrl({ url: 'rtsp://a:b@h/s' }), 'rtsp://a:b@h/s');
  });
});

describe('parseCameraUrl', () => {
  it('rejects other schemes and junk with CAMERA_URL, without echoing the password', () => {
    for (const bad of ['http://admin:secret@h/x', 'not a url secret', 'rtsp://']) {
      assert.throws(
        () => parseCameraUrl(bad, 'camera gate'),
        (error: unknown) => isHuxiaoError(error) && error.code === 'CAMERA_URL' && error.message.startsWith('camera gate:') && !error.message.includes('admin:secret'),
      );
    }
  });
});
