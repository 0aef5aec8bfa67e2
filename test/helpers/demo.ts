export type { DemoEvent, DemoSummary } from '../../scripts/devkit/demo/demo.js';
