export { freeLoopbackPort as freePort, loopbackPortOpen } from '../../scripts/devkit/free-port.js';
