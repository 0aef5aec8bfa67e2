import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { AlertService } from '../../../edge/alerts/alert-service.js';
import { mqttSchema } from '../../../edge/config/mqtt.js';
import { Store } from '../../../edge/store/store.js';
import { Uplink } from '../../../edge/uplink/uplink.js';
import { captureLogs, type LogRecord } from '../../helpers/logs.js';
import { freePort } from '../../helpers/ports.js';
import { ALERTS_CONFIG } from '../../helpers/rule-hits.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait.js';

it('logs a refused broker connection with the socket error whole: code, errno fields and stack', async () => {
  const dir = await tempDir('broker-errors');
  const capture = captureLogs();
  const store = new Store({ path: join(dir.path, 'huxiao.db') });
  const snapshotsDir = join(dir.path, 'snapshots');
  const alerts = new AlertService({ store, gatewayId: 'gw-1', config: ALERTS_CONFIG, snapshotsDir });
  // Nothing listens on a port that was just free: the connection is refused.
  const config = mqttSchema.parse({ url: `mqtt://127.0.0.1:${String(await freePort())}`, reconnectSeconds: 60 });
  const uplink = new Uplink({ store, gatewayId: 'gw-1', config, snapshotsDir, alerts });
  const errors = (): LogRecord[] => capture.records().filter((record) => record.msg === 'broker connection error');
  try {
    store.start();
    alerts.start();
    uplink.start();
    await waitFor('the connection error to be logged', () => errors().length > 0);
    const err = errors()[0]?.err;
    assert.ok(typeof err === 'object', `logged err: ${JSON.stringify(err)}`);
    assert.equal(err.code, 'ECONNREFUSED');
    assert.equal(err.type, 'Error');
    assert.match(err.message, /ECONNREFUSED 127\.0\.0\.1:\d+/);
    assert.match(err.stack, /^Error: connect ECONNREFUSED 127\.0\.0\.1:\d+\n {4}at /);
    assert.equal(err.syscall, 'connect');
  } finally {
    await uplink.stop();
    await alerts.stop();
    store.stop();
    capture.restore();
    await dir.remove();
  }
});
