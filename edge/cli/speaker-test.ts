import type { Command } from 'commander';
import { Actions, SPEAKER_TEST_TEXT } from '../actions/actions.js';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load.js';

export function registerSpeakerTest(program: Command): void {
  program
    .command('speaker-test')
    .description('Play a test message through the configured chain (amplifier, chime, message) and print what happened')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_PATH)
    .option('-t, --text <text>', 'sentence to speak', SPEAKER_TEST_TEXT)
    .option('-D, --device <device>', 'ALSA device overriding audio.device (see `aplay -L`)')
    .action(async (options: { config: string; text: string; device?: string }) => {
      const config = loadConfig(options.config);
      const audio = options.device === undefined ? config.audio : { ...config.audio, device: options.device };
      const actions = new Actions({ audio, actions: config.actions, gpio: config.gpio, withButton: false });
      await actions.start();
      try {
        const result = await actions.speakerTest(options.text);
        const lines = [
          `device:    ${result.device}`,
          `amplifier: ${result.amplifier}`,
          `chime:     ${result.chimePath ?? 'off'}`,
          `message:   ${result.text}`,
          `wav:       ${result.wavPath} (rendered in ${String(result.renderMs)} ms)`,
          `played:    ${result.outcome} in ${String(result.playMs)} ms${result.error === undefined ? '' : ` (${result.error})`}`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
        if (result.outcome !== 'completed') process.exitCode = 1;
      } finally {
        await actions.stop();
      }
    });
}
