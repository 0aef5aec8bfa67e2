export { freeLoopbackPort as freePort } from '../../scripts/devkit/free-port.js';
