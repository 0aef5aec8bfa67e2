import { z } from 'zod';
import type { Actions, SpeakerTestResult } from './actions.js';

const argsSchema = z
  .object({ text: z.string().min(1).max(200).optional().describe('Sentence to speak instead of the default test message.') })
  .strict();

/**
 * The `speaker.test` MQTT command, shaped as the uplink's CommandHandler: the controller registers it with
 * `router.register('speaker.test', speakerTestCommand(actions))`. The reply carries what was played and how.
 */
export function speakerTestCommand(actions: Actions): { readonly args: typeof argsSchema; run(args: z.output<typeof argsSchema>): Promise<SpeakerTestResult> } {
  return {
    args: argsSchema,
    run: (args) => actions.speakerTest(args.text),
  };
}
