import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SystemdNotifier } from '../../../edge/ops/systemd-notify.js';
import { NotifySocket } from '../../helpers/notify-socket.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait.js';

/** The notifier with Debian's systemd-notify against a real AF_UNIX datagram socket (PID 1's end played by python). */
describe('SystemdNotifier', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let socket: NotifySocket;

  before(async () => {
    dir = await tempDir('notify');
    socket = new NotifySocket(dir.path);
    await socket.start();
  });
  after(async () => {
    await socket.stop();
    await dir.remove();
  });

  it('sends READY with the main PID, then the rest in the order asked, one variable per line', async () => {
    const notifier = new SystemdNotifier({ env: { ...process.env, NOTIFY_SOCKET: socket.path }, pid: process.pid });
    assert.equal(notifier.enabled, true);
    const sent = [notifier.ready('starting up'), notifier.watchdog(), notifier.status('degraded: camera gate\nrefused'), notifier.stopping('bye')];
    await Promise.all(sent);
    await waitFor('four messages', () => socket.messages.length >= 4);
    assert.deepEqual(socket.messages.map((message) => message.fields), [
      { MAINPID: String(process.pid), READY: '1', STATUS: 'starting up' },
      { WATCHDOG: '1' },
      { STATUS: 'degraded: camera gate refused' },
      { STOPPING: '1', STATUS: 'bye' },
    ]);
  });

  it('reads the watchdog interval from WATCHDOG_USEC, only when WATCHDOG_PID is this process', () => {
    const base = { NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: '30000000' };
    assert.equal(new SystemdNotifier({ env: base, pid: 42 }).watchdogMs, 30_000);
    assert.equal(new SystemdNotifier({ env: { ...base, WATCHDOG_PID: '42' }, pid: 42 }).watchdogMs, 30_000);
    assert.equal(new SystemdNotifier({ env: { ...base, WATCHDOG_PID: '41' }, pid: 42 }).watchdogMs, undefined, 'inherited from a parent service');
    assert.equal(new SystemdNotifier({ env: { NOTIFY_SOCKET: socket.path }, pid: 42 }).watchdogMs, undefined);
    const outside = new SystemdNotifier({ env: { WATCHDOG_USEC: '30000000' } });
    assert.deepEqual([outside.enabled, outside.watchdogMs], [false, undefined]);
  });

  it('never throws when the tool is missing or fails: systemd\'s own timeouts act on a lost message', async () => {
    const missing = new SystemdNotifier({ env: { NOTIFY_SOCKET: socket.path }, command: '/nonexistent/systemd-notify' });
    await missing.ready('x');
    await missing.watchdog();
    const unreachable = new SystemdNotifier({ env: { ...process.env, NOTIFY_SOCKET: `${dir.path}/no-such.sock` } });
    await unreachable.watchdog();
  });
});
