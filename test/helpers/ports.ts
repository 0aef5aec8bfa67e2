export { freeLoopbackPort as freePort } from '../../edge/demo/free-port.js';
